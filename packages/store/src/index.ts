export { KyselyStore, type StoreConfig } from './kysely-store.js';
export { migrateToLatest } from './migrate.js';
export { KyselyOAuthStore } from './oauth/kysely-oauth-store.js';
export type { OAuthDatabase } from './oauth/oauth-schema.js';
export { isStoreUnavailable } from './store-unavailable.js';
export { KyselyMonitoringStore } from './monitoring/kysely-monitoring-store.js';
export type { MonitoringTables } from './monitoring/monitoring-schema.js';
export type { Database } from './schema.js';
