import type { TypedApp } from '../http/typed-app.js';
import { actorOf } from '../http/auth.js';
import { routeTable } from '../http/route-table.js';
import type { Services } from '../wiring/services.js';
import { LeakReport, LeakReportResult } from './anomaly-schemas.js';

/** Leak reports: keys found where they should not be. */
export function leakedKeyRoutes(app: TypedApp, services: Services): void {
  const route = routeTable(app, ['anomalies']);
  const { leaks } = services.monitoring;
  route.post(
    '/v1/keys/leaked',
    {
      permission: 'keys:report_leaked',
      idempotent: true,
      operationId: 'reportLeakedKeys',
      summary: 'Report keys found where they should not be: each known live key is quarantined (suspended, undoable) or revoked',
      body: LeakReport,
      response: { 200: LeakReportResult },
    },
    async (request) => {
      const items = await leaks.report(actorOf(request), request.body.keys, {
        source: request.body.source ?? 'a leak report',
        action: request.body.action ?? 'quarantine',
      });
      return { items };
    },
  );
}
