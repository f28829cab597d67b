import type { Granularity, RollupDimension, UsageRepos } from '@tessera/core';
import { sql } from 'kysely';
import { chunks, compareKeys, greatest, num, type Dialect, type MonitoringDb } from './monitoring-sql.js';
import { eventFromRow, eventToRow, EVENTS_PER_INSERT, pushEventValues, type EventInserts } from './usage-event-rows.js';

/**
 * The usage port over Kysely: raw events, roll-ups and scope usage. On SQLite, events go in
 * through prepared many-row inserts (`inserts`), run on the connection Kysely holds for the
 * caller's transaction: binding by position, a block of rows per statement.
 */
export function kyselyUsageRepos(db: MonitoringDb, dialect: Dialect, inserts?: EventInserts): UsageRepos {
  return {
    async insertUsageEvents(events) {
      if (inserts === undefined) {
        for (const part of chunks(events, 400)) await db.insertInto('usage_events').values(part.map(eventToRow)).execute();
        return;
      }
      const { one, block } = inserts();
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
    },

    async addRollups(rows) {
      // Rows upserted in key order, so batches from several nodes never wait on each other in a circle.
      const key = (r: (typeof rows)[number]) => [r.workspaceId, r.granularity, r.dimension, r.subject, r.bucket, r.outcome];
      const ordered = [...rows].sort((a, b) => compareKeys(key(a), key(b)));
      for (const part of chunks(ordered, 500)) {
        await db
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
    },

    async touchScopeUsage(uses) {
      // One row per (key, scope) per statement: PostgreSQL refuses to update a row twice in one insert.
      const latest = new Map<string, { key_id: string; scope: string; last_used_at: number }>();
      for (const u of uses) {
        const id = `${u.keyId}\u0000${u.scope}`;
        const row = latest.get(id);
        if (row === undefined || row.last_used_at < u.ts) latest.set(id, { key_id: u.keyId, scope: u.scope, last_used_at: u.ts });
      }
      const max = greatest(dialect, sql.ref('key_scope_usage.last_used_at'), sql.ref('excluded.last_used_at'));
      const ordered = [...latest.values()].sort((a, b) => compareKeys([a.key_id, a.scope], [b.key_id, b.scope]));
      for (const part of chunks(ordered, 500)) {
        await db
          .insertInto('key_scope_usage')
          .values(part)
          .onConflict((oc) => oc.columns(['key_id', 'scope']).doUpdateSet({ last_used_at: max }))
          .execute();
      }
    },

    async listScopeUsage(keyIds, since) {
      const out: { keyId: string; scope: string; lastUsedAt: number }[] = [];
      for (const part of chunks(keyIds, 500)) {
        const rows = await db
          .selectFrom('key_scope_usage')
          .selectAll()
          .where('key_id', 'in', part)
          .where('last_used_at', '>=', since)
          .execute();
        for (const r of rows) out.push({ keyId: r.key_id, scope: r.scope, lastUsedAt: num(r.last_used_at) });
      }
      return out;
    },

    async queryRollups(q) {
      const rows = await db
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
        bucket: num(r.bucket),
        dimension: r.dimension as RollupDimension,
        subject: r.subject,
        outcome: r.outcome,
        count: num(r.count),
        cost: num(r.cost),
      }));
    },

    async topSubjects(q) {
      let query = db
        .selectFrom('usage_rollups')
        .select((eb) => ['subject', eb.fn.sum<number>('count').as('total'), eb.fn.sum<number>('cost').as('spent')])
        .where('workspace_id', '=', q.workspaceId)
        .where('granularity', '=', 'hour')
        .where('dimension', '=', q.dimension)
        .where('bucket', '>=', q.from)
        .where('bucket', '<', q.to);
      if (q.outcome !== undefined) query = query.where('outcome', '=', q.outcome);
      const rows = await query.groupBy('subject').orderBy('total', 'desc').orderBy('subject').limit(q.limit).execute();
      return rows.map((r) => ({ subject: r.subject, count: num(r.total), cost: num(r.spent) }));
    },

    async topSources(q) {
      let query = db
        .selectFrom('usage_events')
        .select((eb) => [eb.ref(q.by).as('subject'), eb.fn.countAll<number>().as('total')])
        .where('workspace_id', '=', q.workspaceId)
        .where('ts', '>=', q.from)
        .where('ts', '<', q.to)
        .where(q.by, 'is not', null);
      if (q.outcome !== undefined) query = query.where('outcome', '=', q.outcome);
      const rows = await query.groupBy(q.by).orderBy('total', 'desc').orderBy(q.by).limit(q.limit).execute();
      return rows.map((r) => ({ subject: String(r.subject), count: num(r.total) }));
    },

    async listUsageEvents(q) {
      let query = db
        .selectFrom('usage_events')
        .selectAll()
        .where('workspace_id', '=', q.workspaceId)
        .where('ts', '>=', q.from)
        .where('ts', '<', q.to);
      if (q.keyId !== undefined) query = query.where('key_id', '=', q.keyId);
      return (await query.orderBy('ts', 'desc').limit(q.limit).execute()).map(eventFromRow);
    },

    async scanUsageEvents(from, to, limit) {
      const rows = await db
        .selectFrom('usage_events')
        .selectAll()
        .where('ts', '>=', from)
        .where('ts', '<', to)
        .orderBy('ts')
        .limit(limit)
        .execute();
      return rows.map(eventFromRow);
    },

    async purgeUsage(before, rollupsBefore) {
      const r = await db.deleteFrom('usage_events').where('ts', '<', before).executeTakeFirst();
      for (const [g, cut] of Object.entries(rollupsBefore))
        await db.deleteFrom('usage_rollups').where('granularity', '=', g).where('bucket', '<', cut).execute();
      return Number(r.numDeletedRows);
    },
  };
}
