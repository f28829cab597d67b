import type { TypedApp } from '../http/typed-app.js';
import { actorOf } from '../http/auth.js';
import { problems } from '../http/contract.js';
import { IdParams } from '../http/schemas.js';
import type { Services } from '../wiring/services.js';
import { Suspension, SuspensionList, SuspensionQuery } from './anomaly-schemas.js';
import { suspensionView } from './monitoring-views.js';

const tags = ['anomalies'];

/** Keys suspended by a keyspace policy or a leak report, and the undo. */
export function suspensionRoutes(app: TypedApp, services: Services): void {
  const { suspensions } = services.monitoring;
  app.get(
    '/v1/suspensions',
    {
      config: { permission: 'anomalies:read' },
      schema: {
        operationId: 'listSuspensions',
        tags,
        summary: 'Keys suspended by a policy or a leak report',
        querystring: SuspensionQuery,
        response: { 200: SuspensionList },
      },
    },
    async (request) => ({ items: (await suspensions.list(actorOf(request), request.query)).map(suspensionView) }),
  );

  app.post(
    '/v1/suspensions/:suspensionId/undo',
    {
      config: { permission: 'anomalies:manage', idempotent: true },
      schema: {
        operationId: 'undoSuspension',
        tags,
        summary: 'Undo a suspension: the key is enabled again as it was',
        params: IdParams('suspensionId'),
        response: { 200: Suspension, ...problems('NOT_FOUND', 'CONFLICT') },
      },
    },
    async (request) => suspensionView(await suspensions.undo(actorOf(request), request.params.suspensionId)),
  );
}
