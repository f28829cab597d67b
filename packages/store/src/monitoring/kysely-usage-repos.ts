import type { Granularity, RollupDimension, UsageRepos } from '@tessera/core';
import { CompiledQuery, sql } from 'kysely';
import { chunks, compareKeys, greatest, num, type Dialect, type MonitoringDb } from './monitoring-sql.js';
import { EVENT_COLUMNS, eventFromRow, EVENTS_PER_INSERT, pushEventValues, type EventInserts } from './usage-event-rows.js';

type RollupRow = Parameters<UsageRepos['addRollups']>[0][number];

/**
 * The usage port over Kysely: raw events, roll-ups and scope usage. On SQLite, events go in
 * through prepared many-row inserts (`inserts`), run on the connection Kysely holds for the
 * caller's transaction: binding by position, a block of rows per statement.
 */
export function kyselyUsageRepos(db: MonitoringDb, dialect: Dialect, inserts?: EventInserts): UsageRepos {
  const eventInsert = EVENT_INSERT[dialect];
  const rollupUpsert = ROLLUP_UPSERT[dialect];
  return {
    async insertUsageEvents(events) {
      if (inserts === undefined) {
        // Bound by position into SQL made once per row count: the query builder made an object
        // per value and compiled the statement anew for every batch (about 6 µs per event).
        for (let i = 0; i < events.length; i += EVENTS_PER_STATEMENT) {
          const end = Math.min(events.length, i + EVENTS_PER_STATEMENT);
          const values: unknown[] = []; // a fresh array each time: the compiled query freezes it
          for (let j = i; j < end; j++) pushEventValues(events[j]!, values);
          await db.executeQuery(CompiledQuery.raw(eventInsert(end - i), values));
        }
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
      const ordered = [...rows].sort(byConflictKey);
      for (let i = 0; i < ordered.length; i += ROLLUPS_PER_INSERT) {
        const end = Math.min(ordered.length, i + ROLLUPS_PER_INSERT);
        const values: unknown[] = [];
        for (let j = i; j < end; j++) {
          const r = ordered[j]!;
          values.push(r.workspaceId, r.granularity, r.bucket, r.dimension, r.subject, r.outcome, r.count, r.cost);
        }
        await db.executeQuery(CompiledQuery.raw(rollupUpsert(end - i), values));
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
        .select((eb) => [eb.ref(q.by).as('subject'), eb.fn.sum<number>('count').as('total')])
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

/** Events per insert without prepared blocks (PostgreSQL): 15 values each, far below its limit of 65,535 parameters. */
const EVENTS_PER_STATEMENT = 400;
/** Roll-up rows per upsert (8 values each). */
const ROLLUPS_PER_INSERT = 500;

/**
 * The SQL of a many-row statement by its row count, made on first use and kept: a full block's
 * and the few shorter last blocks'. Placeholders are the dialect's (`$n` or `?`).
 */
function statementsByRows(dialect: Dialect, width: number, statement: (values: string) => string): (rows: number) => string {
  const made = new Map<number, string>();
  return (rows) => {
    let text = made.get(rows);
    if (text === undefined) {
      const tuples: string[] = [];
      for (let r = 0; r < rows; r++) {
        const p: string[] = [];
        for (let c = 1; c <= width; c++) p.push(dialect === 'postgres' ? `$${r * width + c}` : '?');
        tuples.push(`(${p.join(', ')})`);
      }
      text = statement(tuples.join(', '));
      if (made.size < 64) made.set(rows, text);
    }
    return text;
  };
}

/** The statements' SQL by dialect, made once per process (a repos object is made per transaction). */
const EVENT_INSERT = {
  sqlite: statementsByRows('sqlite', EVENT_COLUMNS.length, eventInsertSql),
  postgres: statementsByRows('postgres', EVENT_COLUMNS.length, eventInsertSql),
};
const ROLLUP_UPSERT = {
  sqlite: statementsByRows('sqlite', 8, rollupUpsertSql),
  postgres: statementsByRows('postgres', 8, rollupUpsertSql),
};

function eventInsertSql(values: string): string {
  return `insert into usage_events (${EVENT_COLUMNS.join(', ')}) values ${values}`;
}

function rollupUpsertSql(values: string): string {
  return (
    `insert into usage_rollups (workspace_id, granularity, bucket, dimension, subject, outcome, "count", cost) values ${values} ` +
    'on conflict (workspace_id, granularity, dimension, subject, bucket, outcome) ' +
    'do update set "count" = usage_rollups."count" + excluded."count", cost = usage_rollups.cost + excluded.cost'
  );
}

const order = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);

/** The lock order of roll-up rows: their conflict key, field by field (strings by code unit, the bucket by value). */
function byConflictKey(a: RollupRow, b: RollupRow): number {
  return (
    order(a.workspaceId, b.workspaceId) ||
    order(a.granularity, b.granularity) ||
    order(a.dimension, b.dimension) ||
    order(a.subject, b.subject) ||
    a.bucket - b.bucket ||
    order(a.outcome, b.outcome)
  );
}
