import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KyselyStore } from '@tessera/store';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL } from '../support/databases.js';

/**
 * A migration run is all or nothing on both databases: a step that fails (here the last one, whose
 * table is already taken) leaves the database as it was — no table of the earlier steps, no step
 * recorded — so the next start can simply run it again. On SQLite this is one transaction too
 * (its DDL is transactional, as PostgreSQL's), not a commit per statement.
 */
describe('a migration run that fails part way', () => {
  it('leaves a SQLite database as it was, and migrates once the obstacle is gone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-migrate-'));
    const file = join(dir, 'tessera.db');
    try {
      const raw = new SqliteDatabase(file);
      raw.exec('create table end_user_passkeys (taken integer)');
      const tables = () =>
        (raw.prepare("select name from sqlite_master where type = 'table' order by name").all() as { name: string }[]).map((t) => t.name);
      const store = KyselyStore.open({ kind: 'sqlite', file });
      await expect(store.migrate()).rejects.toThrow(/end_user_passkeys/);
      expect(tables()).toEqual(['end_user_passkeys', 'tessera_migrations', 'tessera_migrations_lock']);
      expect(raw.prepare('select count(*) as n from tessera_migrations').get()).toEqual({ n: 0 });
      raw.exec('drop table end_user_passkeys');
      expect((await store.migrate()).length).toBeGreaterThan(30);
      expect(tables()).toContain('keys');
      expect(await store.pendingMigrations()).toEqual([]);
      await store.close();
      raw.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves a PostgreSQL schema as it was, and migrates once the obstacle is gone', async () => {
    const schema = `tessera_t_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    try {
      await admin.query(`create schema ${schema}`);
      await admin.query(`create table ${schema}.end_user_passkeys (taken integer)`);
      const tables = async () =>
        (
          await admin.query<{ table_name: string }>(
            'select table_name from information_schema.tables where table_schema = $1 order by table_name',
            [schema],
          )
        ).rows.map((r) => r.table_name);
      const store = KyselyStore.open({ kind: 'postgres', url: TEST_DATABASE_URL, schema, poolSize: 2 });
      await expect(store.migrate()).rejects.toThrow(/end_user_passkeys/);
      expect(await tables()).toEqual(['end_user_passkeys', 'tessera_migrations', 'tessera_migrations_lock']);
      expect((await admin.query(`select count(*)::int as n from ${schema}.tessera_migrations`)).rows).toEqual([{ n: 0 }]);
      await admin.query(`drop table ${schema}.end_user_passkeys`);
      expect((await store.migrate()).length).toBeGreaterThan(30);
      expect(await tables()).toContain('keys');
      await store.close();
    } finally {
      await admin.query(`drop schema if exists ${schema} cascade`);
      await admin.end();
    }
  });
});
