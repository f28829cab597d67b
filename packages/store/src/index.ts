export { KyselyStore, type StoreConfig } from './kysely-store.js';
export { migrateToLatest } from './migrate.js';
export { isStoreUnavailable } from './store-unavailable.js';
export type { Database } from './schema.js';
