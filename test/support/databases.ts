import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StorePorts } from '@tessera/core';
import { KyselyStore, kyselyPorts } from '@tessera/store';
import pg from 'pg';
import { copyTemplate, dropDatabase, TEMPLATE_ENV, TEMPLATE_SCHEMA } from './pg-template.js';

/**
 * The PostgreSQL server the suite uses; each test file gets a database of its own, a copy of the
 * run's migrated template (support/pg-template.ts), or else a schema of its own in this database.
 */
export const TEST_DATABASE_URL = process.env.TESSERA_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export type Dialect = 'sqlite' | 'postgres';
export const DIALECTS: Dialect[] = ['sqlite', 'postgres'];

export interface TestDatabase {
  dialect: Dialect;
  /** A fresh, migrated store. */
  store: KyselyStore;
  /** Every port over the store, as the server wires them. */
  ports: StorePorts;
  /** For the SQLite store: its file. */
  file?: string;
  /** For PostgreSQL: the database the test's schema is in. */
  url?: string;
  /** For PostgreSQL: the schema this test owns. */
  schema?: string;
  dataDir: string;
  drop(): Promise<void>;
}

/** A real database, fresh for one test file: a SQLite file in a temp dir, or a new PostgreSQL schema. */
export async function createTestDatabase(dialect: Dialect): Promise<TestDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-test-'));
  if (dialect === 'sqlite') {
    const file = join(dataDir, 'tessera.db');
    const store = KyselyStore.open({ kind: 'sqlite', file });
    await store.migrate();
    return {
      dialect,
      store,
      ports: kyselyPorts(store),
      file,
      dataDir,
      drop: async () => {
        await store.close().catch(() => {});
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const template = process.env[TEMPLATE_ENV];
  if (template !== undefined) {
    const copy = await copyTemplate(TEST_DATABASE_URL, template);
    const store = KyselyStore.open({ kind: 'postgres', url: copy.url, schema: TEMPLATE_SCHEMA, poolSize: 4 });
    return {
      dialect,
      store,
      ports: kyselyPorts(store),
      url: copy.url,
      schema: TEMPLATE_SCHEMA,
      dataDir,
      drop: async () => {
        await store.close().catch(() => {});
        await dropDatabase(TEST_DATABASE_URL, copy.name);
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const schema = `tessera_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const store = KyselyStore.open({ kind: 'postgres', url: TEST_DATABASE_URL, schema, poolSize: 4 });
  await store.migrate();
  return {
    dialect,
    store,
    ports: kyselyPorts(store),
    url: TEST_DATABASE_URL,
    schema,
    dataDir,
    drop: async () => {
      await store.close().catch(() => {});
      const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A second connection to a test database, as another server node of the same cluster has: its own
 * store over the same SQLite file or PostgreSQL schema. Dropping it closes the store only; the
 * database stays for its owner to drop.
 */
export async function joinTestDatabase(owner: TestDatabase): Promise<TestDatabase> {
  const store =
    owner.dialect === 'sqlite'
      ? KyselyStore.open({ kind: 'sqlite', file: owner.file! })
      : KyselyStore.open({ kind: 'postgres', url: owner.url!, schema: owner.schema!, poolSize: 4 });
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-test-'));
  return {
    ...owner,
    store,
    ports: kyselyPorts(store),
    dataDir,
    drop: async () => {
      await store.close().catch(() => {});
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
