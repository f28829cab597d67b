import type { MonitoringRepos, MonitoringStore, Repos } from '@tessera/core';
import type { Kysely } from 'kysely';
import { KyselyRepos } from '../kysely-repos.js';
import type { KyselyStore } from '../kysely-store.js';
import { retryingTransaction } from '../retry-transaction.js';
import type { Database } from '../schema.js';
import { kyselyAnomalyRepos } from './kysely-anomaly-repos.js';
import { kyselyCursorRepos } from './kysely-cursor-repos.js';
import { kyselyDeliveryRepos } from './kysely-delivery-repos.js';
import { kyselyHoneytokenRepos } from './kysely-honeytoken-repos.js';
import { kyselyKeyInventoryRepos } from './kysely-key-inventory-repos.js';
import { kyselyNoticeRepos } from './kysely-notice-repos.js';
import { kyselyPolicyRepos } from './kysely-policy-repos.js';
import { kyselySuspensionRepos } from './kysely-suspension-repos.js';
import { kyselyUsageRepos } from './kysely-usage-repos.js';
import { kyselyWebhookRepos } from './kysely-webhook-repos.js';
import type { Dialect, MonitoringDb } from './monitoring-sql.js';
import { preparedEventInserts, type EventInserts } from './usage-event-rows.js';

/** Every monitoring port over one Kysely handle (the whole database, or one transaction). */
export function kyselyMonitoringRepos(handle: Kysely<Database>, dialect: Dialect, inserts?: EventInserts): MonitoringRepos {
  const db = handle as unknown as MonitoringDb;
  return {
    ...kyselyUsageRepos(db, dialect, inserts),
    ...kyselyAnomalyRepos(db, dialect),
    ...kyselySuspensionRepos(db),
    ...kyselyPolicyRepos(db),
    ...kyselyHoneytokenRepos(db),
    ...kyselyWebhookRepos(db),
    ...kyselyDeliveryRepos(db),
    ...kyselyCursorRepos(db),
    ...kyselyNoticeRepos(db),
    ...kyselyKeyInventoryRepos(db),
  };
}

/**
 * The monitoring store over the same database (and connection pool) as a KyselyStore: its ports
 * beside the core repos, and transactions that span both (an anomaly and its audit entry, a
 * suspension and the key it disables).
 */
export function kyselyMonitoringStore(store: KyselyStore): MonitoringStore {
  // On SQLite, events written in a transaction go through statements prepared once (see kyselyUsageRepos).
  const inserts = store.sqlite && preparedEventInserts(store.sqlite);
  const inTransaction = (trx: Kysely<Database>): MonitoringRepos & Repos =>
    Object.assign(new KyselyRepos(trx, store.dialect, true), kyselyMonitoringRepos(trx, store.dialect, inserts));
  return Object.assign(new KyselyRepos(store.kysely, store.dialect, false), kyselyMonitoringRepos(store.kysely, store.dialect), {
    transaction: <T>(fn: (tx: MonitoringRepos & Repos) => Promise<T>) => retryingTransaction(store.kysely, (trx) => fn(inTransaction(trx))),
  });
}
