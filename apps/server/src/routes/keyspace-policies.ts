import type { TypedApp } from '../http/typed-app.js';
import { actorOf } from '../http/auth.js';
import { problems } from '../http/contract.js';
import { routeTable } from '../http/route-table.js';
import { IdParams } from '../http/schemas.js';
import type { Services } from '../wiring/services.js';
import { KeyspacePolicy, PolicyPatch } from './anomaly-schemas.js';
import { policyView } from './monitoring-views.js';

const tags = ['anomalies'];
const params = IdParams('keyspaceId');
const keyspace = { keyspaceParam: 'keyspaceId' };

/** A keyspace's monitoring policy: how it answers anomalies and stale keys. */
export function keyspacePolicyRoutes(app: TypedApp, services: Services): void {
  const route = routeTable(app, tags);
  const { policies } = services.monitoring;
  route.get(
    '/v1/keyspaces/:keyspaceId/policy',
    {
      permission: 'keyspaces:read',
      keyspace,
      operationId: 'getKeyspacePolicy',
      summary: "A keyspace's monitoring policy (defaults until set)",
      params,
      response: { 200: KeyspacePolicy, ...problems('NOT_FOUND') },
    },
    async (request) => policyView(await policies.get(actorOf(request), request.params.keyspaceId)),
  );

  route.put(
    '/v1/keyspaces/:keyspaceId/policy',
    {
      permission: 'keyspaces:manage',
      idempotent: true,
      keyspace,
      operationId: 'putKeyspacePolicy',
      summary: "Set a keyspace's policy: alert only or suspend on anomalies, automatic expiry of unused keys, notices",
      params,
      body: PolicyPatch,
      response: { 200: KeyspacePolicy, ...problems('NOT_FOUND') },
    },
    async (request) => policyView(await policies.put(actorOf(request), request.params.keyspaceId, request.body)),
  );
}
