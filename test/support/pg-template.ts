import { randomBytes } from 'node:crypto';
import { KyselyStore } from '@tessera/store';
import pg from 'pg';

/**
 * The suite's PostgreSQL databases are copies of one migrated template (`CREATE DATABASE …
 * TEMPLATE`), made once per run by vitest's global setup: a copy takes tens of milliseconds where
 * migrating a fresh schema takes one to two seconds, and a hundred test files each want one or
 * more. Migrations themselves are tested where they are the subject (test/store, test/cli,
 * test/upgrade), on fresh databases. Where the server may not create databases, the suite falls
 * back to migrating a fresh schema in the shared database, as it did before.
 */
export const TEMPLATE_ENV = 'TESSERA_TEST_PG_TEMPLATE';

/** The schema the template's tables are in; every copy has them there too. */
export const TEMPLATE_SCHEMA = 'tessera';

/** `url` with another database name. */
export function databaseUrl(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Runs `sql` on the server of `url`, connected to its maintenance database. */
export async function onServer(url: string, ...statements: string[]): Promise<void> {
  const c = new pg.Client({ connectionString: databaseUrl(url, 'postgres') });
  await c.connect();
  try {
    for (const s of statements) await c.query(s);
  } finally {
    await c.end();
  }
}

/** Creates and migrates the run's template; returns its name, or undefined if databases cannot be created here. */
export async function createTemplate(url: string): Promise<string | undefined> {
  const name = `tessera_tpl_${randomBytes(5).toString('hex')}`;
  try {
    await onServer(url, `create database ${name}`);
  } catch {
    return undefined;
  }
  const tplUrl = databaseUrl(url, name);
  const c = new pg.Client({ connectionString: tplUrl });
  await c.connect();
  await c.query(`create schema ${TEMPLATE_SCHEMA}`);
  await c.end();
  const store = KyselyStore.open({ kind: 'postgres', url: tplUrl, schema: TEMPLATE_SCHEMA, poolSize: 1 });
  try {
    await store.migrate();
  } finally {
    await store.close();
  }
  return name;
}

/** A new database copied from the template; returns its URL. */
export async function copyTemplate(url: string, template: string): Promise<{ name: string; url: string }> {
  const name = `${template.replace('_tpl_', '_t_')}_${randomBytes(5).toString('hex')}`;
  await onServer(url, `create database ${name} template ${template}`);
  return { name, url: databaseUrl(url, name) };
}

/** Drops a database, closing what is still connected to it. */
export async function dropDatabase(url: string, name: string): Promise<void> {
  await onServer(url, `drop database if exists ${name} with (force)`);
}

/** Drops the template and any copy of it a test file left behind (one that crashed before its drop). */
export async function dropTemplate(url: string, template: string): Promise<void> {
  const c = new pg.Client({ connectionString: databaseUrl(url, 'postgres') });
  await c.connect();
  try {
    const copies = await c.query<{ datname: string }>('select datname from pg_database where datname like $1', [
      `${template.replace('_tpl_', '_t_')}\\_%`,
    ]);
    for (const { datname } of copies.rows) await c.query(`drop database if exists ${datname} with (force)`);
    await c.query(`drop database if exists ${template} with (force)`);
  } finally {
    await c.end();
  }
}
