import { retryingTransaction } from '../retry-transaction.js';
import type {
  AnomalyQuery,
  AnomalyRecord,
  Granularity,
  KeyRecord,
  KeyspacePolicy,
  MonitoringRepos,
  MonitoringStore,
  Repos,
  RollupDimension,
  RollupRow,
  SuspensionRecord,
  UsageEvent,
  WebhookDeliveryRecord,
  WebhookSubscriptionRecord,
} from '@tessera/core';
import type SqliteDatabase from 'better-sqlite3';
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import { KyselyRepos } from '../kysely-repos.js';
import type { KyselyStore } from '../kysely-store.js';
import { keyFromRow } from '../rows.js';
import type { Database } from '../schema.js';
import type { MonitoringTables } from './monitoring-schema.js';

type Db = Kysely<MonitoringTables> | Transaction<MonitoringTables>;
type T = MonitoringTables;

const chunks = <X>(items: readonly X[], size: number): X[][] => {
  const out: X[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};
const n = (v: unknown): number => Number(v);
const nn = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** The monitoring port over a Kysely handle (the whole database or one transaction), beside the core repos. */
export class KyselyMonitoringRepos extends KyselyRepos implements MonitoringRepos {
  constructor(
    db: ConstructorParameters<typeof KyselyRepos>[0],
    dialectName: 'sqlite' | 'postgres',
    inTransaction: boolean,
    /** On SQLite, prepared inserts of one event and of a block of events: Kysely would build and prepare a new many-row statement per batch. */
    private readonly insertEvent?: EventInserts,
  ) {
    super(db, dialectName, inTransaction);
  }

  protected get m(): Db {
    return this.db as unknown as Db;
  }

  async insertUsageEvents(events: readonly UsageEvent[]): Promise<void> {
    if (this.insertEvent !== undefined) {
      // Inside the caller's transaction: better-sqlite3 runs on the connection Kysely holds for it.
      // Positional values, a block of rows per statement: binding by name and one statement per
      // row cost about half of the time per event.
      const { one, block } = this.insertEvent();
      const values: unknown[] = [];
      let i = 0;
      for (; i + EVENTS_PER_INSERT <= events.length; i += EVENTS_PER_INSERT) {
        values.length = 0;
        for (let j = i; j < i + EVENTS_PER_INSERT; j++) pushEventValues(events[j]!, values);
        block.run(values);
      }
      for (; i < events.length; i++) {
        values.length = 0;
        pushEventValues(events[i]!, values);
        one.run(values);
      }
      return;
    }
    for (const part of chunks(events, 400)) {
      await this.m.insertInto('usage_events').values(part.map(eventToRow)).execute();
    }
  }

  async addRollups(rows: readonly RollupRow[]): Promise<void> {
    // Rows upserted in key order, so batches from several nodes never wait on each other in a circle.
    const ordered = [...rows].sort((a, b) =>
      compareKeys(
        [a.workspaceId, a.granularity, a.dimension, a.subject, a.bucket, a.outcome],
        [b.workspaceId, b.granularity, b.dimension, b.subject, b.bucket, b.outcome],
      ),
    );
    for (const part of chunks(ordered, 500)) {
      await this.m
        .insertInto('usage_rollups')
        .values(
          part.map((r) => ({
            workspace_id: r.workspaceId,
            granularity: r.granularity,
            bucket: r.bucket,
            dimension: r.dimension,
            subject: r.subject,
            outcome: r.outcome,
            count: r.count,
            cost: r.cost,
          })),
        )
        .onConflict((oc) =>
          oc.columns(['workspace_id', 'granularity', 'dimension', 'subject', 'bucket', 'outcome']).doUpdateSet({
            count: sql<number>`usage_rollups.count + excluded.count`,
            cost: sql<number>`usage_rollups.cost + excluded.cost`,
          }),
        )
        .execute();
    }
  }

  async touchScopeUsage(uses: readonly { keyId: string; scope: string; ts: number }[]): Promise<void> {
    // One row per (key, scope) per statement: PostgreSQL refuses to update a row twice in one insert.
    const latest = new Map<string, { key_id: string; scope: string; last_used_at: number }>();
    for (const u of uses) {
      const id = `${u.keyId}\u0000${u.scope}`;
      const row = latest.get(id);
      if (row === undefined || row.last_used_at < u.ts) latest.set(id, { key_id: u.keyId, scope: u.scope, last_used_at: u.ts });
    }
    const max =
      this.dialectName === 'postgres'
        ? sql<number>`greatest(key_scope_usage.last_used_at, excluded.last_used_at)`
        : sql<number>`max(key_scope_usage.last_used_at, excluded.last_used_at)`;
    const ordered = [...latest.values()].sort((a, b) => compareKeys([a.key_id, a.scope], [b.key_id, b.scope]));
    for (const part of chunks(ordered, 500)) {
      await this.m
        .insertInto('key_scope_usage')
        .values(part)
        .onConflict((oc) => oc.columns(['key_id', 'scope']).doUpdateSet({ last_used_at: max }))
        .execute();
    }
  }

  async listScopeUsage(keyIds: readonly string[], since: number): Promise<{ keyId: string; scope: string; lastUsedAt: number }[]> {
    const out: { keyId: string; scope: string; lastUsedAt: number }[] = [];
    for (const part of chunks(keyIds, 500)) {
      const rows = await this.m
        .selectFrom('key_scope_usage')
        .selectAll()
        .where('key_id', 'in', part)
        .where('last_used_at', '>=', since)
        .execute();
      for (const r of rows) out.push({ keyId: r.key_id, scope: r.scope, lastUsedAt: n(r.last_used_at) });
    }
    return out;
  }

  async queryRollups(q: {
    workspaceId: string;
    granularity: Granularity;
    dimension: RollupDimension;
    subject: string;
    from: number;
    to: number;
  }): Promise<RollupRow[]> {
    const rows = await this.m
      .selectFrom('usage_rollups')
      .selectAll()
      .where('workspace_id', '=', q.workspaceId)
      .where('granularity', '=', q.granularity)
      .where('dimension', '=', q.dimension)
      .where('subject', '=', q.subject)
      .where('bucket', '>=', q.from)
      .where('bucket', '<', q.to)
      .orderBy('bucket')
      .execute();
    return rows.map((r) => ({
      workspaceId: r.workspace_id,
      granularity: r.granularity as Granularity,
      bucket: n(r.bucket),
      dimension: r.dimension as RollupDimension,
      subject: r.subject,
      outcome: r.outcome,
      count: n(r.count),
      cost: n(r.cost),
    }));
  }

  async topSubjects(q: {
    workspaceId: string;
    dimension: 'key' | 'owner' | 'keyspace';
    from: number;
    to: number;
    outcome?: string | undefined;
    limit: number;
  }): Promise<{ subject: string; count: number; cost: number }[]> {
    let query = this.m
      .selectFrom('usage_rollups')
      .select((eb) => ['subject', eb.fn.sum<number>('count').as('total'), eb.fn.sum<number>('cost').as('spent')])
      .where('workspace_id', '=', q.workspaceId)
      .where('granularity', '=', 'hour')
      .where('dimension', '=', q.dimension)
      .where('bucket', '>=', q.from)
      .where('bucket', '<', q.to);
    if (q.outcome !== undefined) query = query.where('outcome', '=', q.outcome);
    const rows = await query.groupBy('subject').orderBy('total', 'desc').orderBy('subject').limit(q.limit).execute();
    return rows.map((r) => ({ subject: r.subject, count: n(r.total), cost: n(r.spent) }));
  }

  async topSources(q: {
    workspaceId: string;
    by: 'ip' | 'network';
    from: number;
    to: number;
    outcome?: string | undefined;
    limit: number;
  }): Promise<{ subject: string; count: number }[]> {
    let query = this.m
      .selectFrom('usage_events')
      .select((eb) => [eb.ref(q.by).as('subject'), eb.fn.countAll<number>().as('total')])
      .where('workspace_id', '=', q.workspaceId)
      .where('ts', '>=', q.from)
      .where('ts', '<', q.to)
      .where(q.by, 'is not', null);
    if (q.outcome !== undefined) query = query.where('outcome', '=', q.outcome);
    const rows = await query.groupBy(q.by).orderBy('total', 'desc').orderBy(q.by).limit(q.limit).execute();
    return rows.map((r) => ({ subject: String(r.subject), count: n(r.total) }));
  }

  async listUsageEvents(q: {
    workspaceId: string;
    keyId?: string | undefined;
    from: number;
    to: number;
    limit: number;
  }): Promise<UsageEvent[]> {
    let query = this.m
      .selectFrom('usage_events')
      .selectAll()
      .where('workspace_id', '=', q.workspaceId)
      .where('ts', '>=', q.from)
      .where('ts', '<', q.to);
    if (q.keyId !== undefined) query = query.where('key_id', '=', q.keyId);
    const rows = await query.orderBy('ts', 'desc').limit(q.limit).execute();
    return rows.map(eventFromRow);
  }

  async scanUsageEvents(from: number, to: number, limit: number): Promise<UsageEvent[]> {
    const rows = await this.m
      .selectFrom('usage_events')
      .selectAll()
      .where('ts', '>=', from)
      .where('ts', '<', to)
      .orderBy('ts')
      .limit(limit)
      .execute();
    return rows.map(eventFromRow);
  }

  async purgeUsage(before: number, rollupsBefore: Record<Granularity, number>): Promise<number> {
    const r = await this.m.deleteFrom('usage_events').where('ts', '<', before).executeTakeFirst();
    for (const [g, cut] of Object.entries(rollupsBefore))
      await this.m.deleteFrom('usage_rollups').where('granularity', '=', g).where('bucket', '<', cut).execute();
    return Number(r.numDeletedRows);
  }

  async insertAnomaly(a: AnomalyRecord): Promise<void> {
    await this.m.insertInto('anomalies').values(anomalyToRow(a)).execute();
  }

  async getAnomaly(id: string): Promise<AnomalyRecord | undefined> {
    const r = await this.m.selectFrom('anomalies').selectAll().where('id', '=', id).executeTakeFirst();
    return r && anomalyFromRow(r);
  }

  async listAnomalies(q: AnomalyQuery): Promise<AnomalyRecord[]> {
    let query = this.m.selectFrom('anomalies').selectAll().where('workspace_id', '=', q.workspaceId);
    if (q.keyId !== undefined) query = query.where('key_id', '=', q.keyId);
    if (q.since !== undefined) query = query.where('detected_at', '>=', q.since);
    if (q.status !== undefined) query = query.where('status', '=', q.status);
    if (q.kind !== undefined) query = query.where('kind', '=', q.kind);
    return (await query.orderBy('detected_at', 'desc').orderBy('id', 'desc').limit(q.limit).execute()).map(anomalyFromRow);
  }

  async updateAnomaly(id: string, p: Parameters<MonitoringRepos['updateAnomaly']>[1]): Promise<void> {
    await this.m
      .updateTable('anomalies')
      .set({
        ...(p.status !== undefined && { status: p.status }),
        ...(p.count !== undefined && { count: p.count }),
        ...(p.lastSeenAt !== undefined && { last_seen_at: p.lastSeenAt }),
        ...(p.acknowledgedAt !== undefined && { acknowledged_at: p.acknowledgedAt }),
        ...(p.acknowledgedBy !== undefined && { acknowledged_by: p.acknowledgedBy }),
        ...(p.resolvedAt !== undefined && { resolved_at: p.resolvedAt }),
        ...(p.resolvedBy !== undefined && { resolved_by: p.resolvedBy }),
        ...(p.response !== undefined && { response: p.response === null ? null : JSON.stringify(p.response) }),
      })
      .where('id', '=', id)
      .execute();
  }

  async bumpAnomaly(id: string, count: number, lastSeenAt: number): Promise<void> {
    const latest =
      this.dialectName === 'postgres' ? sql<number>`greatest(last_seen_at, ${lastSeenAt})` : sql<number>`max(last_seen_at, ${lastSeenAt})`;
    await this.m
      .updateTable('anomalies')
      .set({ count: sql<number>`count + ${count}`, last_seen_at: latest })
      .where('id', '=', id)
      .execute();
  }

  async getPolicy(keyspaceId: string): Promise<KeyspacePolicy | undefined> {
    const r = await this.m.selectFrom('keyspace_policies').selectAll().where('keyspace_id', '=', keyspaceId).executeTakeFirst();
    return r && policyFromRow(r);
  }

  async listPolicies(): Promise<KeyspacePolicy[]> {
    return (await this.m.selectFrom('keyspace_policies').selectAll().execute()).map(policyFromRow);
  }

  async putPolicy(p: KeyspacePolicy): Promise<void> {
    const row = {
      keyspace_id: p.keyspaceId,
      workspace_id: p.workspaceId,
      anomaly_response: p.anomalyResponse,
      suspend_min_severity: p.suspendMinSeverity,
      auto_expire_unused_days: p.autoExpireUnusedDays,
      auto_expire_notice_days: p.autoExpireNoticeDays,
      expiring_notice_days: p.expiringNoticeDays,
      credits_low_threshold: p.creditsLowThreshold,
      updated_at: p.updatedAt,
    };
    const { keyspace_id: _k, ...rest } = row;
    await this.m
      .insertInto('keyspace_policies')
      .values(row)
      .onConflict((oc) => oc.column('keyspace_id').doUpdateSet(rest))
      .execute();
  }

  async insertSuspension(s: SuspensionRecord): Promise<void> {
    await this.m
      .insertInto('key_suspensions')
      .values({
        id: s.id,
        workspace_id: s.workspaceId,
        key_id: s.keyId,
        anomaly_id: s.anomalyId,
        reason: s.reason.slice(0, 256),
        suspended_at: s.suspendedAt,
        was_enabled: s.wasEnabled ? 1 : 0,
        undone_at: s.undoneAt,
        undone_by: s.undoneBy,
      })
      .execute();
  }

  async getSuspension(id: string): Promise<SuspensionRecord | undefined> {
    const r = await this.m.selectFrom('key_suspensions').selectAll().where('id', '=', id).executeTakeFirst();
    return r && suspensionFromRow(r);
  }

  async listSuspensions(q: { workspaceId: string; keyId?: string | undefined; active?: boolean | undefined }): Promise<SuspensionRecord[]> {
    let query = this.m.selectFrom('key_suspensions').selectAll().where('workspace_id', '=', q.workspaceId);
    if (q.keyId !== undefined) query = query.where('key_id', '=', q.keyId);
    if (q.active !== undefined) query = query.where('undone_at', q.active ? 'is' : 'is not', null);
    return (await query.orderBy('id', 'desc').limit(500).execute()).map(suspensionFromRow);
  }

  async markSuspensionUndone(id: string, at: number, by: string): Promise<boolean> {
    const r = await this.m
      .updateTable('key_suspensions')
      .set({ undone_at: at, undone_by: by })
      .where('id', '=', id)
      .where('undone_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async insertHoneytoken(h: { keyId: string; workspaceId: string; createdAt: number }): Promise<void> {
    await this.m.insertInto('honeytokens').values({ key_id: h.keyId, workspace_id: h.workspaceId, created_at: h.createdAt }).execute();
  }

  async listHoneytokenIds(): Promise<string[]> {
    return (await this.m.selectFrom('honeytokens').select('key_id').execute()).map((r) => r.key_id);
  }

  async insertWebhook(w: WebhookSubscriptionRecord): Promise<void> {
    await this.m
      .insertInto('webhooks')
      .values({
        id: w.id,
        workspace_id: w.workspaceId,
        url: w.url,
        events: JSON.stringify(w.events),
        secret_ciphertext: w.secretCiphertext,
        secret_start: w.secretStart,
        enabled: w.enabled ? 1 : 0,
        created_at: w.createdAt,
        updated_at: w.updatedAt,
      })
      .execute();
  }

  async getWebhook(id: string): Promise<WebhookSubscriptionRecord | undefined> {
    const r = await this.m.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst();
    return r && webhookFromRow(r);
  }

  async listWebhooks(workspaceId: string): Promise<WebhookSubscriptionRecord[]> {
    return (await this.m.selectFrom('webhooks').selectAll().where('workspace_id', '=', workspaceId).orderBy('id').execute()).map(
      webhookFromRow,
    );
  }

  async updateWebhook(id: string, p: Parameters<MonitoringRepos['updateWebhook']>[1]): Promise<void> {
    await this.m
      .updateTable('webhooks')
      .set({
        ...(p.url !== undefined && { url: p.url }),
        ...(p.events !== undefined && { events: JSON.stringify(p.events) }),
        ...(p.enabled !== undefined && { enabled: p.enabled ? 1 : 0 }),
        ...(p.secretCiphertext !== undefined && { secret_ciphertext: p.secretCiphertext }),
        ...(p.secretStart !== undefined && { secret_start: p.secretStart }),
        ...(p.updatedAt !== undefined && { updated_at: p.updatedAt }),
      })
      .where('id', '=', id)
      .execute();
  }

  async deleteWebhook(id: string): Promise<void> {
    await this.m.deleteFrom('webhook_deliveries').where('subscription_id', '=', id).execute();
    await this.m.deleteFrom('webhooks').where('id', '=', id).execute();
  }

  async insertDeliveries(d: readonly WebhookDeliveryRecord[]): Promise<void> {
    for (const part of chunks(d, 200)) await this.m.insertInto('webhook_deliveries').values(part.map(deliveryToRow)).execute();
  }

  async getDelivery(id: string): Promise<WebhookDeliveryRecord | undefined> {
    const r = await this.m.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
    return r && deliveryFromRow(r);
  }

  async listDeliveries(q: { subscriptionId: string; limit: number; beforeId?: string | undefined }): Promise<WebhookDeliveryRecord[]> {
    let query = this.m.selectFrom('webhook_deliveries').selectAll().where('subscription_id', '=', q.subscriptionId);
    if (q.beforeId !== undefined) query = query.where('id', '<', q.beforeId);
    return (await query.orderBy('id', 'desc').limit(q.limit).execute()).map(deliveryFromRow);
  }

  async listDueDeliveries(now: number, limit: number): Promise<WebhookDeliveryRecord[]> {
    const rows = await this.m
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .orderBy('next_attempt_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(deliveryFromRow);
  }

  async claimDelivery(id: string, expectedNextAttemptAt: number, leaseUntil: number): Promise<boolean> {
    const r = await this.m
      .updateTable('webhook_deliveries')
      .set({ next_attempt_at: leaseUntil })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .where('next_attempt_at', '=', expectedNextAttemptAt)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async finishAttempt(id: string, p: Parameters<MonitoringRepos['finishAttempt']>[1]): Promise<void> {
    await this.m
      .updateTable('webhook_deliveries')
      .set({
        status: p.status,
        attempts: p.attempts,
        next_attempt_at: p.nextAttemptAt,
        last_attempt_at: p.lastAttemptAt,
        response_status: p.responseStatus,
        last_error: clip(p.lastError, 512),
        delivered_at: p.deliveredAt,
      })
      .where('id', '=', id)
      .execute();
  }

  async purgeDeliveries(before: number): Promise<number> {
    const r = await this.m
      .deleteFrom('webhook_deliveries')
      .where('created_at', '<', before)
      .where('status', '!=', 'pending')
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async getCursor(name: string): Promise<number | undefined> {
    const r = await this.m.selectFrom('monitoring_cursors').select('value').where('name', '=', name).executeTakeFirst();
    return r === undefined ? undefined : n(r.value);
  }

  async advanceCursor(name: string, from: number | undefined, to: number): Promise<boolean> {
    if (from === undefined) {
      const r = await this.m
        .insertInto('monitoring_cursors')
        .values({ name, value: to })
        .onConflict((oc) => oc.column('name').doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
    }
    const r = await this.m
      .updateTable('monitoring_cursors')
      .set({ value: to })
      .where('name', '=', name)
      .where('value', '=', from)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async recordNotice(x: {
    kind: string;
    subject: string;
    workspaceId: string;
    createdAt: number;
    data: Record<string, unknown>;
  }): Promise<boolean> {
    const r = await this.m
      .insertInto('monitoring_notices')
      .values({ kind: x.kind, subject: x.subject, workspace_id: x.workspaceId, created_at: x.createdAt, data: JSON.stringify(x.data) })
      .onConflict((oc) => oc.columns(['kind', 'subject']).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async getNotice(kind: string, subject: string): Promise<{ createdAt: number; data: Record<string, unknown> } | undefined> {
    const r = await this.m
      .selectFrom('monitoring_notices')
      .selectAll()
      .where('kind', '=', kind)
      .where('subject', '=', subject)
      .executeTakeFirst();
    return r && { createdAt: n(r.created_at), data: JSON.parse(r.data) as Record<string, unknown> };
  }

  async deleteNotice(kind: string, subject: string): Promise<void> {
    await this.m.deleteFrom('monitoring_notices').where('kind', '=', kind).where('subject', '=', subject).execute();
  }

  async restoreScheduledExpiry(
    keyId: string,
    scheduled: { expiresAt: number; scheduledAt: number },
    previous: number | null,
    updatedAt: number,
  ): Promise<boolean> {
    const r = await this.db
      .updateTable('keys')
      .set({ expires_at: previous, updated_at: updatedAt })
      .where('id', '=', keyId)
      .where('expires_at', '=', scheduled.expiresAt)
      .where('updated_at', '=', scheduled.scheduledAt)
      .where('rolled_to_id', 'is', null)
      .where('revoked_at', 'is', null)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async listNotices(kind: string): Promise<{ subject: string; workspaceId: string; createdAt: number; data: Record<string, unknown> }[]> {
    const rows = await this.m.selectFrom('monitoring_notices').selectAll().where('kind', '=', kind).execute();
    return rows.map((r) => ({
      subject: r.subject,
      workspaceId: r.workspace_id,
      createdAt: n(r.created_at),
      data: JSON.parse(r.data) as Record<string, unknown>,
    }));
  }

  async listAllKeyspaces(): Promise<{ id: string; workspaceId: string }[]> {
    return (await this.db.selectFrom('keyspaces').select(['id', 'workspace_id']).orderBy('id').execute()).map((r) => ({
      id: r.id,
      workspaceId: r.workspace_id,
    }));
  }

  async listLiveKeys(keyspaceId: string, after: string | undefined, limit: number): Promise<KeyRecord[]> {
    let query = this.db
      .selectFrom('keys')
      .selectAll()
      .where('keyspace_id', '=', keyspaceId)
      .where('revoked_at', 'is', null)
      .where('deleted_at', 'is', null);
    if (after !== undefined) query = query.where('id', '>', after);
    return (await query.orderBy('id').limit(limit).execute()).map(keyFromRow);
  }
}

/** The monitoring store: opened over the same Kysely handle as the key store. */
export class KyselyMonitoringStore extends KyselyMonitoringRepos implements MonitoringStore {
  readonly dialect: 'sqlite' | 'postgres';
  private readonly kysely: Kysely<Database>;

  private readonly preparedInsertEvent: EventInserts | undefined;

  constructor(store: KyselyStore) {
    super(store.kysely, store.dialect, false);
    this.kysely = store.kysely;
    this.dialect = store.dialect;
    const sqlite = store.sqlite;
    let statements: { one: SqliteDatabase.Statement; block: SqliteDatabase.Statement } | undefined;
    // Prepared on first use: the table exists only once the store is migrated.
    const row = `(${EVENT_COLUMNS.map(() => '?').join(', ')})`;
    const insert = (rows: number) =>
      sqlite!.prepare(`insert into usage_events (${EVENT_COLUMNS.join(', ')}) values ${Array<string>(rows).fill(row).join(', ')}`);
    this.preparedInsertEvent = sqlite && (() => (statements ??= { one: insert(1), block: insert(EVENTS_PER_INSERT) }));
  }

  transaction<R>(fn: (tx: MonitoringRepos & Repos) => Promise<R>): Promise<R> {
    return retryingTransaction(this.kysely, (trx) => fn(new KyselyMonitoringRepos(trx, this.dialect, true, this.preparedInsertEvent)));
  }
}

const EVENT_COLUMNS = [
  'ts',
  'workspace_id',
  'key_id',
  'keyspace_id',
  'owner_id',
  'outcome',
  'ip',
  'network',
  'user_agent',
  'cost',
  'resource',
  'method',
  'scopes',
  'deleted_key',
] as const;

/** Rows per prepared many-row insert on SQLite (14 values each, far below SQLite's limit on parameters). */
const EVENTS_PER_INSERT = 64;

type EventInserts = () => { one: SqliteDatabase.Statement; block: SqliteDatabase.Statement };

/** An event's values in the order of EVENT_COLUMNS, as `eventToRow` makes them. */
function pushEventValues(e: UsageEvent, out: unknown[]): void {
  out.push(
    e.ts,
    e.workspaceId,
    e.keyId,
    e.keyspaceId,
    e.ownerId,
    e.outcome,
    e.ip,
    e.network,
    clip(e.userAgent, 256),
    e.cost,
    clip(e.resource, 256),
    clip(e.method, 16),
    clip(e.scopes, 1024),
    e.deleted ? 1 : 0,
  );
}

function eventToRow(e: UsageEvent): T['usage_events'] {
  return {
    ts: e.ts,
    workspace_id: e.workspaceId,
    key_id: e.keyId,
    keyspace_id: e.keyspaceId,
    owner_id: e.ownerId,
    outcome: e.outcome,
    ip: e.ip,
    network: e.network,
    user_agent: clip(e.userAgent, 256),
    cost: e.cost,
    resource: clip(e.resource, 256),
    method: clip(e.method, 16),
    scopes: clip(e.scopes, 1024),
    deleted_key: e.deleted ? 1 : 0,
  };
}

function clip(v: string | null, max: number): string | null {
  if (v === null) return null;
  // PostgreSQL's text cannot hold U+0000.
  const s = v.includes('\u0000') ? v.replaceAll('\u0000', '') : v;
  return s.length > max ? s.slice(0, max) : s;
}

function eventFromRow(r: Selectable<T['usage_events']>): UsageEvent {
  return {
    ts: n(r.ts),
    workspaceId: r.workspace_id,
    keyId: r.key_id,
    keyspaceId: r.keyspace_id,
    ownerId: r.owner_id,
    outcome: r.outcome as UsageEvent['outcome'],
    ip: r.ip,
    network: r.network,
    userAgent: r.user_agent,
    cost: n(r.cost),
    resource: r.resource,
    method: r.method,
    scopes: r.scopes,
    ...(r.deleted_key === 1 && { deleted: true }),
  };
}

function anomalyToRow(a: AnomalyRecord): T['anomalies'] {
  return {
    id: a.id,
    workspace_id: a.workspaceId,
    kind: a.kind,
    severity: a.severity,
    key_id: a.keyId,
    keyspace_id: a.keyspaceId,
    subject: a.subject.slice(0, 256),
    explanation: a.explanation,
    details: JSON.stringify(a.details),
    fingerprint: a.fingerprint.slice(0, 512),
    status: a.status,
    count: a.count,
    first_event_at: a.firstEventAt,
    detected_at: a.detectedAt,
    last_seen_at: a.lastSeenAt,
    acknowledged_at: a.acknowledgedAt,
    acknowledged_by: a.acknowledgedBy,
    resolved_at: a.resolvedAt,
    resolved_by: a.resolvedBy,
    response: a.response === null ? null : JSON.stringify(a.response),
  };
}

function anomalyFromRow(r: Selectable<T['anomalies']>): AnomalyRecord {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    kind: r.kind as AnomalyRecord['kind'],
    severity: r.severity as AnomalyRecord['severity'],
    keyId: r.key_id,
    keyspaceId: r.keyspace_id,
    subject: r.subject,
    explanation: r.explanation,
    details: JSON.parse(r.details) as Record<string, unknown>,
    fingerprint: r.fingerprint,
    status: r.status as AnomalyRecord['status'],
    count: n(r.count),
    firstEventAt: n(r.first_event_at),
    detectedAt: n(r.detected_at),
    lastSeenAt: n(r.last_seen_at),
    acknowledgedAt: nn(r.acknowledged_at),
    acknowledgedBy: r.acknowledged_by,
    resolvedAt: nn(r.resolved_at),
    resolvedBy: r.resolved_by,
    response: r.response === null ? null : (JSON.parse(r.response) as AnomalyRecord['response']),
  };
}

function policyFromRow(r: Selectable<T['keyspace_policies']>): KeyspacePolicy {
  return {
    keyspaceId: r.keyspace_id,
    workspaceId: r.workspace_id,
    anomalyResponse: r.anomaly_response as KeyspacePolicy['anomalyResponse'],
    suspendMinSeverity: r.suspend_min_severity as KeyspacePolicy['suspendMinSeverity'],
    autoExpireUnusedDays: nn(r.auto_expire_unused_days),
    autoExpireNoticeDays: n(r.auto_expire_notice_days),
    expiringNoticeDays: n(r.expiring_notice_days),
    creditsLowThreshold: nn(r.credits_low_threshold),
    updatedAt: n(r.updated_at),
  };
}

function suspensionFromRow(r: Selectable<T['key_suspensions']>): SuspensionRecord {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    keyId: r.key_id,
    anomalyId: r.anomaly_id,
    reason: r.reason,
    suspendedAt: n(r.suspended_at),
    wasEnabled: r.was_enabled === 1,
    undoneAt: nn(r.undone_at),
    undoneBy: r.undone_by,
  };
}

function webhookFromRow(r: Selectable<T['webhooks']>): WebhookSubscriptionRecord {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    url: r.url,
    events: JSON.parse(r.events) as string[],
    secretCiphertext: r.secret_ciphertext,
    secretStart: r.secret_start,
    enabled: r.enabled === 1,
    createdAt: n(r.created_at),
    updatedAt: n(r.updated_at),
  };
}

function deliveryToRow(d: WebhookDeliveryRecord): T['webhook_deliveries'] {
  return {
    id: d.id,
    subscription_id: d.subscriptionId,
    workspace_id: d.workspaceId,
    event_id: d.eventId,
    event_type: d.eventType,
    payload: d.payload,
    status: d.status,
    attempts: d.attempts,
    next_attempt_at: d.nextAttemptAt,
    last_attempt_at: d.lastAttemptAt,
    response_status: d.responseStatus,
    last_error: d.lastError,
    created_at: d.createdAt,
    delivered_at: d.deliveredAt,
  };
}

function deliveryFromRow(r: Selectable<T['webhook_deliveries']>): WebhookDeliveryRecord {
  return {
    id: r.id,
    subscriptionId: r.subscription_id,
    workspaceId: r.workspace_id,
    eventId: r.event_id,
    eventType: r.event_type,
    payload: r.payload,
    status: r.status as WebhookDeliveryRecord['status'],
    attempts: n(r.attempts),
    nextAttemptAt: nn(r.next_attempt_at),
    lastAttemptAt: nn(r.last_attempt_at),
    responseStatus: nn(r.response_status),
    lastError: r.last_error,
    createdAt: n(r.created_at),
    deliveredAt: nn(r.delivered_at),
  };
}

/** Orders rows by their conflict key (strings by code unit, numbers by value), as the lock order. */
function compareKeys(a: readonly (string | number)[], b: readonly (string | number)[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x < y) return -1;
    if (x > y) return 1;
  }
  return 0;
}
