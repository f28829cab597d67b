import type { AnomalyRepos } from '../anomaly/anomaly-repos.js';
import type { HoneytokenRepos } from '../anomaly/honeytoken-repos.js';
import type { PolicyRepos } from '../anomaly/policy-repos.js';
import type { SuspensionRepos } from '../anomaly/suspension-repos.js';
import type { KeyInventoryRepos } from '../hygiene/key-inventory-repos.js';
import type { NoticeRepos } from '../hygiene/notice-repos.js';
import type { Repos } from '../store/store.js';
import type { CursorRepos } from '../webhooks/cursor-repos.js';
import type { DeliveryRepos } from '../webhooks/delivery-repos.js';
import type { WebhookRepos } from '../webhooks/webhook-repos.js';
import type { UsageRepos } from './usage-repos.js';

/** Runs `fn` in one transaction over the ports `P` and the core repos (keys, the audit chain). */
export interface Transactional<P> {
  transaction<T>(fn: (tx: P & Repos) => Promise<T>): Promise<T>;
}

/**
 * The storage ports of monitoring (migration 0005) together, the same inside and outside a
 * transaction: what a store adapter fills. Each service takes only the ports it uses.
 */
export interface MonitoringRepos
  extends
    UsageRepos,
    AnomalyRepos,
    SuspensionRepos,
    PolicyRepos,
    HoneytokenRepos,
    WebhookRepos,
    DeliveryRepos,
    CursorRepos,
    NoticeRepos,
    KeyInventoryRepos {}

/** The monitoring ports over one database, with the core reads they need and one transaction over all of it. */
export interface MonitoringStore
  extends
    MonitoringRepos,
    Pick<Repos, 'findKeyByHash' | 'getKey' | 'getKeyspace' | 'scanAudit' | 'auditHead'>,
    Transactional<MonitoringRepos> {}
