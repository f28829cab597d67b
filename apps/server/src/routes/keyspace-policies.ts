import type { TypedApp } from '../http/typed-app.js';
import { routeTable } from '../http/route-table.js';
import type { Services } from '../wiring/services.js';
import { KeyspacePolicy, PolicyPatch } from './anomaly-schemas.js';
import { keyspaceSettingsRoutes } from './keyspace-settings.js';
import { policyView } from './monitoring-views.js';

/** A keyspace's monitoring policy: how it answers anomalies and stale keys. */
export function keyspacePolicyRoutes(app: TypedApp, services: Services): void {
  keyspaceSettingsRoutes(routeTable(app, ['anomalies']), '/v1/keyspaces/:keyspaceId/policy', {
    service: services.monitoring.policies,
    answer: KeyspacePolicy,
    view: policyView,
    read: { operationId: 'getKeyspacePolicy', summary: "A keyspace's monitoring policy (defaults until set)" },
    write: {
      method: 'put',
      operationId: 'putKeyspacePolicy',
      summary: "Set a keyspace's policy: alert only or suspend on anomalies, automatic expiry of unused keys, notices",
      body: PolicyPatch,
    },
  });
}
