export { KyselyStore, type StoreConfig } from './kysely-store.js';
export { kyselyPorts } from './kysely-ports.js';
export { migrateToLatest } from './migrate.js';
export type { OAuthDatabase } from './oauth/oauth-schema.js';
export { isStoreUnavailable } from './store-unavailable.js';
export type { MonitoringTables } from './monitoring/monitoring-schema.js';
export type { Database } from './schema.js';
export { KEY_BY_HASH_SQL, preparedKeyLookup } from './keys/pg-key-lookup.js';
