import { KEY_BY_HASH_SQL, preparedKeyLookup } from '@tessera/store';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { fullKeyRecord, keyRecord, seedKeyspace } from './contract/records.js';

/**
 * The verify path's key lookup on PostgreSQL (a named prepared statement outside Kysely): what
 * the store contract cannot see from outside — a pooler that loses the statement, a migration
 * that adds a column while it is prepared, and what it reports to tracing.
 */
describe('prepared key lookup (postgres)', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let ws: { workspaceId: string; keyspaceId: string };
  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    ws = await seedKeyspace(db.store);
    // One connection, so the test can reach the session the statement is prepared in.
    pool = new pg.Pool({ connectionString: db.url, max: 1, options: `-c search_path=${db.schema}` });
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  const prepared = async (): Promise<number> =>
    Number((await pool.query(`select count(*) as n from pg_prepared_statements where name = 'tessera_key_by_hash'`)).rows[0].n);

  it('reads the record Kysely reads, prepared once per connection', async () => {
    const full = fullKeyRecord(ws);
    const bare = keyRecord(ws);
    await db.store.insertKey(full);
    await db.store.insertKey(bare);
    const lookup = preparedKeyLookup(pool);
    expect(await lookup(full.hash)).toEqual(full);
    expect(await lookup(bare.hash)).toEqual(bare);
    expect(await lookup('no-such-hash')).toBeUndefined();
    expect(await db.store.transaction((tx) => tx.findKeyByHash(full.hash))).toEqual(full);
    expect(await prepared()).toBe(1);
  });

  it('keeps answering when a migration adds a column to keys while the statement is prepared', async () => {
    const record = keyRecord(ws);
    await db.store.insertKey(record);
    const lookup = preparedKeyLookup(pool);
    expect(await lookup(record.hash)).toEqual(record);
    await pool.query('alter table keys add column later_feature text');
    try {
      expect(await lookup(record.hash)).toEqual(record);
    } finally {
      await pool.query('alter table keys drop column later_feature');
    }
  });

  it('falls back to the unnamed statement when the session lost it, as behind a transaction pooler', async () => {
    const record = keyRecord(ws);
    await db.store.insertKey(record);
    const lookup = preparedKeyLookup(pool);
    expect(await lookup(record.hash)).toEqual(record);
    // pg still believes the statement is prepared on this connection; the server no longer has it.
    await pool.query('deallocate tessera_key_by_hash');
    expect(await lookup(record.hash)).toEqual(record);
    expect(await lookup(record.hash)).toEqual(record);
    expect(await prepared()).toBe(0);
  });

  it('reports each lookup to the query observer with its SQL, never the hash', async () => {
    const record = keyRecord(ws);
    await db.store.insertKey(record);
    const events: { sql: string; durationMs: number; error?: unknown }[] = [];
    const lookup = preparedKeyLookup(pool, (e) => events.push(e));
    await lookup(record.hash);
    expect(events).toHaveLength(1);
    expect(events[0]!.sql).toBe(KEY_BY_HASH_SQL);
    expect(events[0]!.sql).not.toContain(record.hash);
    expect(events[0]!.durationMs).toBeGreaterThan(0);
    expect(events[0]!.error).toBeUndefined();
    const broken = new pg.Pool({ connectionString: db.url, max: 1, options: '-c search_path=no_such_schema' });
    try {
      await expect(preparedKeyLookup(broken, (e) => events.push(e))(record.hash)).rejects.toThrow(/keys/);
    } finally {
      await broken.end();
    }
    expect(events[1]!.error).toBeInstanceOf(Error);
  });
});
