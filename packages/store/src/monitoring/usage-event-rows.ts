import type { UsageEvent } from '@tessera/core';
import type SqliteDatabase from 'better-sqlite3';
import type { Selectable } from 'kysely';
import { clip, num } from './monitoring-sql.js';
import type { MonitoringTables } from './monitoring-schema.js';

type EventRow = MonitoringTables['usage_events'];

export const EVENT_COLUMNS = [
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
  'count',
] as const satisfies readonly (keyof EventRow)[];

/** Rows per prepared many-row insert on SQLite (15 values each, far below SQLite's limit on parameters). */
export const EVENTS_PER_INSERT = 64;

/** On SQLite, prepared inserts of one event and of a block of events, made on first use. */
export type EventInserts = () => { one: SqliteDatabase.Statement; block: SqliteDatabase.Statement };

/**
 * Prepares the inserts once per database (the table exists only once the store is migrated, so
 * on first use): Kysely would build and prepare a new many-row statement per batch.
 */
export function preparedEventInserts(sqlite: SqliteDatabase.Database): EventInserts {
  let statements: ReturnType<EventInserts> | undefined;
  const row = `(${EVENT_COLUMNS.map(() => '?').join(', ')})`;
  const insert = (rows: number) =>
    sqlite.prepare(`insert into usage_events (${EVENT_COLUMNS.join(', ')}) values ${Array<string>(rows).fill(row).join(', ')}`);
  return () => (statements ??= { one: insert(1), block: insert(EVENTS_PER_INSERT) });
}

export function eventToRow(e: UsageEvent): EventRow {
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
    count: e.count ?? 1,
  };
}

/** An event's values in the order of EVENT_COLUMNS, as `eventToRow` makes them, for the prepared inserts. */
export function pushEventValues(e: UsageEvent, out: unknown[]): void {
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
    e.count ?? 1,
  );
}

export function eventFromRow(r: Selectable<EventRow>): UsageEvent {
  return {
    ts: num(r.ts),
    workspaceId: r.workspace_id,
    keyId: r.key_id,
    keyspaceId: r.keyspace_id,
    ownerId: r.owner_id,
    outcome: r.outcome as UsageEvent['outcome'],
    ip: r.ip,
    network: r.network,
    userAgent: r.user_agent,
    cost: num(r.cost),
    resource: r.resource,
    method: r.method,
    scopes: r.scopes,
    ...(r.deleted_key === 1 && { deleted: true }),
    ...(num(r.count) > 1 && { count: num(r.count) }),
  };
}
