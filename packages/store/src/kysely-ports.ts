import type { StorePorts } from '@tessera/core';
import type { KyselyStore } from './kysely-store.js';
import { kyselyMonitoringStore } from './monitoring/kysely-monitoring-store.js';
import { KyselyOAuthStore } from './oauth/kysely-oauth-store.js';

/** Every port over one Kysely store's database and connection pool. */
export function kyselyPorts(store: KyselyStore): StorePorts {
  return { store, monitoring: kyselyMonitoringStore(store), oauth: new KyselyOAuthStore(store) };
}
