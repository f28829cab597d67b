import type { AnomalyStatus } from '@tessera/api';
import type { AnomalyRecord, KeyspacePolicy, SuspensionRecord } from '../anomaly/anomaly-records.js';
import type { KeyRecord } from '../store/records.js';
import type { Repos } from '../store/store.js';
import type { WebhookDeliveryRecord, WebhookSubscriptionRecord } from '../webhooks/webhook-records.js';
import type { UsageEvent } from './usage-event.js';
import type { Granularity, RollupDimension, RollupRow } from './usage-rollups.js';

export interface AnomalyQuery {
  workspaceId: string;
  keyId?: string | undefined;
  since?: number | undefined;
  status?: AnomalyStatus | undefined;
  kind?: string | undefined;
  limit: number;
}

/**
 * The storage port of monitoring: usage events and roll-ups, anomalies, policies, suspensions,
 * honeytokens, webhooks and notices (migration 0005). The same inside and outside a transaction.
 */
export interface MonitoringRepos {
  insertUsageEvents(events: readonly UsageEvent[]): Promise<void>;
  /** Adds counts and costs to the roll-ups (creating rows as needed). */
  addRollups(rows: readonly RollupRow[]): Promise<void>;
  /** Remembers that a key's grants were needed for these scopes at `ts`. */
  touchScopeUsage(uses: readonly { keyId: string; scope: string; ts: number }[]): Promise<void>;
  listScopeUsage(keyIds: readonly string[], since: number): Promise<{ keyId: string; scope: string; lastUsedAt: number }[]>;
  queryRollups(q: {
    workspaceId: string;
    granularity: Granularity;
    dimension: RollupDimension;
    subject: string;
    from: number;
    to: number;
  }): Promise<RollupRow[]>;
  /** Subjects with the most verifications in [from, to), from the hourly roll-ups. */
  topSubjects(q: {
    workspaceId: string;
    dimension: 'key' | 'owner' | 'keyspace';
    from: number;
    to: number;
    outcome?: string | undefined;
    limit: number;
  }): Promise<{ subject: string; count: number; cost: number }[]>;
  /** Addresses or networks with the most verifications in [from, to), from the raw events. */
  topSources(q: {
    workspaceId: string;
    by: 'ip' | 'network';
    from: number;
    to: number;
    outcome?: string | undefined;
    limit: number;
  }): Promise<{ subject: string; count: number }[]>;
  listUsageEvents(q: { workspaceId: string; keyId?: string | undefined; from: number; to: number; limit: number }): Promise<UsageEvent[]>;
  /** Events of every workspace in [from, to), oldest first, at most `limit` (for rebuilding detector profiles). */
  scanUsageEvents(from: number, to: number, limit: number): Promise<UsageEvent[]>;
  /** Deletes raw events before `before`, and roll-ups of a granularity whose bucket starts before its cut-off. */
  purgeUsage(before: number, rollupsBefore: Record<Granularity, number>): Promise<number>;

  insertAnomaly(a: AnomalyRecord): Promise<void>;
  getAnomaly(id: string): Promise<AnomalyRecord | undefined>;
  listAnomalies(q: AnomalyQuery): Promise<AnomalyRecord[]>;
  updateAnomaly(
    id: string,
    patch: Partial<
      Pick<
        AnomalyRecord,
        'status' | 'count' | 'lastSeenAt' | 'acknowledgedAt' | 'acknowledgedBy' | 'resolvedAt' | 'resolvedBy' | 'response'
      >
    >,
  ): Promise<void>;
  /** Adds repeats to an anomaly (a single statement, so nodes do not lose each other's counts). */
  bumpAnomaly(id: string, count: number, lastSeenAt: number): Promise<void>;

  getPolicy(keyspaceId: string): Promise<KeyspacePolicy | undefined>;
  listPolicies(): Promise<KeyspacePolicy[]>;
  putPolicy(p: KeyspacePolicy): Promise<void>;

  insertSuspension(s: SuspensionRecord): Promise<void>;
  getSuspension(id: string): Promise<SuspensionRecord | undefined>;
  listSuspensions(q: { workspaceId: string; keyId?: string | undefined; active?: boolean | undefined }): Promise<SuspensionRecord[]>;
  markSuspensionUndone(id: string, at: number, by: string): Promise<boolean>;

  insertHoneytoken(h: { keyId: string; workspaceId: string; createdAt: number }): Promise<void>;
  listHoneytokenIds(): Promise<string[]>;

  insertWebhook(w: WebhookSubscriptionRecord): Promise<void>;
  getWebhook(id: string): Promise<WebhookSubscriptionRecord | undefined>;
  listWebhooks(workspaceId: string): Promise<WebhookSubscriptionRecord[]>;
  updateWebhook(
    id: string,
    patch: Partial<Pick<WebhookSubscriptionRecord, 'url' | 'events' | 'enabled' | 'secretCiphertext' | 'secretStart' | 'updatedAt'>>,
  ): Promise<void>;
  deleteWebhook(id: string): Promise<void>;
  insertDeliveries(d: readonly WebhookDeliveryRecord[]): Promise<void>;
  getDelivery(id: string): Promise<WebhookDeliveryRecord | undefined>;
  listDeliveries(q: { subscriptionId: string; limit: number; beforeId?: string | undefined }): Promise<WebhookDeliveryRecord[]>;
  /** Pending deliveries due at `now`, oldest first. */
  listDueDeliveries(now: number, limit: number): Promise<WebhookDeliveryRecord[]>;
  /**
   * Takes a due delivery for one attempt: moves its next attempt to `leaseUntil` if it is still
   * due as `expectedNextAttemptAt` (compare-and-set), so two nodes never send the same attempt.
   */
  claimDelivery(id: string, expectedNextAttemptAt: number, leaseUntil: number): Promise<boolean>;
  finishAttempt(
    id: string,
    patch: Pick<
      WebhookDeliveryRecord,
      'status' | 'attempts' | 'nextAttemptAt' | 'lastAttemptAt' | 'responseStatus' | 'lastError' | 'deliveredAt'
    >,
  ): Promise<void>;
  purgeDeliveries(before: number): Promise<number>;

  /** A named position (e.g. in the audit log); compare-and-set so only one node advances it. */
  getCursor(name: string): Promise<number | undefined>;
  advanceCursor(name: string, from: number | undefined, to: number): Promise<boolean>;

  /** A one-off notice (e.g. "expiring soon" for one key and expiry): true the first time only. */
  recordNotice(n: {
    kind: string;
    subject: string;
    workspaceId: string;
    createdAt: number;
    data: Record<string, unknown>;
  }): Promise<boolean>;
  getNotice(kind: string, subject: string): Promise<{ createdAt: number; data: Record<string, unknown> } | undefined>;
  deleteNotice(kind: string, subject: string): Promise<void>;
  listNotices(kind: string): Promise<{ subject: string; workspaceId: string; createdAt: number; data: Record<string, unknown> }[]>;
  /**
   * Cancels a hygiene-scheduled expiry: sets the key's expiry back to `previous`, only while it is
   * still the one the sweep scheduled at `scheduledAt` (its expiry and last change unchanged, not
   * rolled, revoked or deleted) — a compare-and-set in SQL. True when it did.
   */
  restoreScheduledExpiry(
    keyId: string,
    scheduled: { expiresAt: number; scheduledAt: number },
    previous: number | null,
    updatedAt: number,
  ): Promise<boolean>;

  /** Every keyspace: id and workspace. */
  listAllKeyspaces(): Promise<{ id: string; workspaceId: string }[]>;
  /** Live keys (not revoked or deleted) of a keyspace, a page at a time by id. */
  listLiveKeys(keyspaceId: string, after: string | undefined, limit: number): Promise<KeyRecord[]>;
}

export interface MonitoringStore
  extends MonitoringRepos, Pick<Repos, 'findKeyByHash' | 'getKey' | 'getKeyspace' | 'scanAudit' | 'auditHead'> {
  readonly dialect: 'sqlite' | 'postgres';
  /** One transaction over the monitoring tables, the keys and the audit chain. */
  transaction<T>(fn: (tx: MonitoringRepos & Repos) => Promise<T>): Promise<T>;
}
