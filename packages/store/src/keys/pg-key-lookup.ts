import type { KeyRecord } from '@tessera/core';
import type { Selectable } from 'kysely';
import type pg from 'pg';
import type { Database } from '../schema.js';
import { keyFromRow } from './key-rows.js';

type KeyRow = Selectable<Database['keys']>;

/** Every column of `keys`, in the order the lookup returns them; the compiler checks none is missing. */
const COLUMNS = [
  'id',
  'workspace_id',
  'keyspace_id',
  'hash',
  'pepper_version',
  'start',
  'owner_id',
  'name',
  'scopes',
  'meta',
  'environment',
  'created_at',
  'updated_at',
  'expires_at',
  'enabled',
  'revoked_at',
  'revoke_reason',
  'deleted_at',
  'ip_allowlist',
  'ratelimits',
  'credits_remaining',
  'credits_refill_amount',
  'credits_refill_interval',
  'credits_refilled_at',
  'last_used_at',
  'usage_count',
  'version',
  'rolled_to_id',
] as const satisfies readonly (keyof KeyRow)[];
const complete: Exclude<keyof KeyRow, (typeof COLUMNS)[number]> extends never ? true : never = true;
void complete;

/** The statement: one JSON array per row, so its result has one column whatever the table holds. */
export const KEY_BY_HASH_SQL = `select json_build_array(${COLUMNS.join(', ')})::text as "row" from keys where hash = $1`;
const STATEMENT = 'tessera_key_by_hash';
/** "prepared statement … does not exist" and "… already exists": a pooler that moves sessions between server connections. */
const NOT_PREPARABLE = new Set(['26000', '42P05']);

export type QueryObserver = (event: { sql: string; durationMs: number; error?: unknown }) => void;

/**
 * The verify path's key lookup on PostgreSQL, for cache misses: a named prepared statement on the
 * pool, outside Kysely. A row like `keys` (about 30 columns) read through Kysely cost about 55 µs
 * of CPU and 80 µs end to end on the reference machine; as one JSON array from a statement each
 * connection plans once, about 22 µs and 30 µs (pg builds a parser and a property per column of
 * every result, and Kysely compiles the query each time). The explicit column list keeps the
 * result's type fixed when a later migration adds a column, which a prepared `select *` would
 * not. Behind a connection pooler that does not keep prepared statements (PgBouncer before 1.21
 * in transaction mode), the first refusal switches this process to the same statement unnamed.
 */
export function preparedKeyLookup(pool: pg.Pool, onQuery?: QueryObserver): (hash: string) => Promise<KeyRecord | undefined> {
  let named = true;
  const run = async (hash: string): Promise<KeyRecord | undefined> => {
    let result: pg.QueryResult<{ row: string }>;
    try {
      result = await pool.query<{ row: string }>(
        named ? { name: STATEMENT, text: KEY_BY_HASH_SQL, values: [hash] } : { text: KEY_BY_HASH_SQL, values: [hash] },
      );
    } catch (err) {
      if (!named || !NOT_PREPARABLE.has((err as { code?: string }).code ?? '')) throw err;
      named = false;
      result = await pool.query<{ row: string }>({ text: KEY_BY_HASH_SQL, values: [hash] });
    }
    const text = result.rows[0]?.row;
    return text === undefined ? undefined : keyFromRow(rowOf(JSON.parse(text) as unknown[]));
  };
  if (onQuery === undefined) return run;
  return async (hash) => {
    const started = performance.now();
    try {
      const found = await run(hash);
      onQuery({ sql: KEY_BY_HASH_SQL, durationMs: performance.now() - started });
      return found;
    } catch (error) {
      onQuery({ sql: KEY_BY_HASH_SQL, durationMs: performance.now() - started, error });
      throw error;
    }
  };
}

function rowOf(values: readonly unknown[]): KeyRow {
  const row: Record<string, unknown> = {};
  for (let i = 0; i < COLUMNS.length; i++) row[COLUMNS[i]!] = values[i];
  return row as KeyRow;
}
