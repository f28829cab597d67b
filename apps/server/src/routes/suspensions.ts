import type { TypedApp } from '../http/typed-app.js';
import { actorOf } from '../http/auth.js';
import { problems } from '../http/contract.js';
import { routeTable } from '../http/route-table.js';
import { IdParams } from '../http/schemas.js';
import type { Services } from '../wiring/services.js';
import { Suspension, SuspensionList, SuspensionQuery } from './anomaly-schemas.js';
import { suspensionView } from './monitoring-views.js';

const tags = ['anomalies'];

/** Keys suspended by a keyspace policy or a leak report, and the undo. */
export function suspensionRoutes(app: TypedApp, services: Services): void {
  const route = routeTable(app, tags);
  const { suspensions } = services.monitoring;
  route.get(
    '/v1/suspensions',
    {
      permission: 'anomalies:read',
      operationId: 'listSuspensions',
      summary: 'Keys suspended by a policy or a leak report',
      querystring: SuspensionQuery,
      response: { 200: SuspensionList },
    },
    async (request) => ({ items: (await suspensions.list(actorOf(request), request.query)).map(suspensionView) }),
  );

  route.post(
    '/v1/suspensions/:suspensionId/undo',
    {
      permission: 'anomalies:manage',
      idempotent: true,
      operationId: 'undoSuspension',
      summary: 'Undo a suspension: the key is enabled again as it was',
      params: IdParams('suspensionId'),
      response: { 200: Suspension, ...problems('NOT_FOUND', 'CONFLICT') },
    },
    async (request) => suspensionView(await suspensions.undo(actorOf(request), request.params.suspensionId)),
  );
}
