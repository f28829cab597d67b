import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { actorOf } from '../http/auth.js';
import type { Services } from '../services.js';
import { LeakReport, LeakReportResult } from './anomaly-schemas.js';

/** Leak reports: keys found where they should not be. */
export function leakedKeyRoutes(services: Services): FastifyPluginAsync {
  const { leaks } = services.monitoring;
  return async (app0) => {
    const app = app0.withTypeProvider<TypeBoxTypeProvider>();

    app.post(
      '/v1/keys/leaked',
      {
        config: { permission: 'keys:report_leaked', idempotent: true },
        schema: {
          operationId: 'reportLeakedKeys',
          tags: ['anomalies'],
          summary: 'Report keys found where they should not be: each known live key is quarantined (suspended, undoable) or revoked',
          body: LeakReport,
          response: { 200: LeakReportResult },
        },
      },
      async (request) => {
        const items = await leaks.report(actorOf(request), request.body.keys, {
          source: request.body.source ?? 'a leak report',
          action: request.body.action ?? 'quarantine',
        });
        return { items };
      },
    );
  };
}
