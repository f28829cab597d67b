import type { Granularity, RollupDimension, UsageRepos } from '@tessera/core';
import { CompiledQuery, sql } from 'kysely';
import { chunks, compareKeys, greatest, num, type Dialect, type MonitoringDb } from './monitoring-sql.js';
import { EVENT_COLUMNS, eventFromRow, EVENTS_PER_INSERT, pushEventValues, type EventInserts } from './usage-event-rows.js';

type RollupRow = Parameters<UsageRepos['addRollups']>[0][number];

/**
 * The usage port over Kysely: raw events, roll-ups and scope usage. On SQLite, events go in
 * through prepared many-row inserts (`inserts`), run on the connection Kysely holds for the
 * caller's transaction: binding by position, a block of rows per statement. On PostgreSQL,
 * events and roll-ups go in as one array per column, unnested by the statement.
 */
export function kyselyUsageRepos(db: MonitoringDb, dialect: Dialect, inserts?: EventInserts): UsageRepos {
  return {
    async insertUsageEvents(events) {
      if (dialect === 'postgres') {
        // One array per column, so a statement's text and plan stay the same whatever
        // the row count (a VALUES list of 400 rows was 6,000 parameters to parse and plan each time).
        for (let i = 0; i < events.length; i += ROWS_PER_ARRAY_STATEMENT) {
          const end = Math.min(events.length, i + ROWS_PER_ARRAY_STATEMENT);
          const columns: unknown[][] = EVENT_COLUMNS.map(() => new Array<unknown>(end - i));
          const values: unknown[] = [];
          for (let j = i; j < end; j++) {
            values.length = 0;
            pushEventValues(events[j]!, values);
            for (let c = 0; c < columns.length; c++) columns[c]![j - i] = values[c];
          }
          await db.executeQuery(CompiledQuery.raw(EVENT_INSERT_ARRAYS, columns));
        }
        return;
      }
      if (inserts === undefined) {
        // SQLite without the prepared blocks (outside the recorder's transaction): blocks of rows all the same.
        for (let i = 0; i < events.length; i += EVENTS_PER_INSERT) {
          const end = Math.min(events.length, i + EVENTS_PER_INSERT);
          const values: unknown[] = []; // a fresh array each time: the compiled query freezes it
          for (let j = i; j < end; j++) pushEventValues(events[j]!, values);
          await db.executeQuery(CompiledQuery.raw(EVENT_INSERT(end - i), values));
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
      if (dialect === 'postgres') {
        for (let i = 0; i < ordered.length; i += ROWS_PER_ARRAY_STATEMENT) {
          const part = ordered.slice(i, i + ROWS_PER_ARRAY_STATEMENT);
          const columns = ROLLUP_FIELDS.map((field) => part.map((r) => r[field]));
          await db.executeQuery(CompiledQuery.raw(ROLLUP_UPSERT_ARRAYS, columns));
        }
        return;
      }
      for (let i = 0; i < ordered.length; i += ROLLUPS_PER_INSERT) {
        const end = Math.min(ordered.length, i + ROLLUPS_PER_INSERT);
        const values: unknown[] = [];
        for (let j = i; j < end; j++) {
          const r = ordered[j]!;
          values.push(r.workspaceId, r.granularity, r.bucket, r.dimension, r.subject, r.outcome, r.count, r.cost);
        }
        await db.executeQuery(CompiledQuery.raw(ROLLUP_UPSERT(end - i), values));
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

/**
 * Rows per statement on PostgreSQL, where each column is one array parameter: the text is the same
 * whatever the count, and a statement stays short, so a commit that waits behind it (a revocation's)
 * waits for 500 rows, not for a whole batch.
 */
const ROWS_PER_ARRAY_STATEMENT = 500;
/** Roll-up rows per upsert on SQLite (8 values each). */
const ROLLUPS_PER_INSERT = 500;

/** SQLite's many-row statement by its row count (`?` placeholders), made on first use and kept. */
function sqliteRows(width: number, statement: (rows: string) => string): (rows: number) => string {
  const made = new Map<number, string>();
  const tuple = `(${Array<string>(width).fill('?').join(', ')})`;
  return (rows) => {
    let text = made.get(rows);
    if (text === undefined) {
      text = statement(`values ${Array<string>(rows).fill(tuple).join(', ')}`);
      if (made.size < 64) made.set(rows, text);
    }
    return text;
  };
}

const EVENT_INSERT = sqliteRows(EVENT_COLUMNS.length, (rows) => `insert into usage_events (${EVENT_COLUMNS.join(', ')}) ${rows}`);
const ROLLUP_UPSERT = sqliteRows(8, rollupUpsertSql);

/** The PostgreSQL type of each usage_events column, for its array. */
const EVENT_COLUMN_TYPE: Record<(typeof EVENT_COLUMNS)[number], string> = {
  ts: 'int8',
  workspace_id: 'text',
  key_id: 'text',
  keyspace_id: 'text',
  owner_id: 'text',
  outcome: 'text',
  ip: 'text',
  network: 'text',
  user_agent: 'text',
  cost: 'int8',
  resource: 'text',
  method: 'text',
  scopes: 'text',
  deleted_key: 'int4',
  count: 'int4',
};
const EVENT_INSERT_ARRAYS = `insert into usage_events (${EVENT_COLUMNS.join(', ')}) select * from unnest(${EVENT_COLUMNS.map((c, i) => `$${i + 1}::${EVENT_COLUMN_TYPE[c]}[]`).join(', ')})`;

const ROLLUP_FIELDS = [
  'workspaceId',
  'granularity',
  'bucket',
  'dimension',
  'subject',
  'outcome',
  'count',
  'cost',
] as const satisfies readonly (keyof RollupRow)[];
const ROLLUP_UPSERT_ARRAYS = rollupUpsertSql(
  'select * from unnest($1::text[], $2::text[], $3::int8[], $4::text[], $5::text[], $6::text[], $7::int8[], $8::int8[])',
);

/** The roll-up upsert over `rows` (a VALUES list, or a SELECT from arrays). */
function rollupUpsertSql(rows: string): string {
  return (
    `insert into usage_rollups (workspace_id, granularity, bucket, dimension, subject, outcome, "count", cost) ${rows} ` +
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
