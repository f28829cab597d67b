import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import pg from 'pg';
import { BackupError } from './backup-protection.js';
import { readSnapshotFacts, type SnapshotFacts } from './snapshot-facts.js';

/**
 * PostgreSQL backups are logical dumps by `pg_dump` (custom format) restored by `pg_restore`, from
 * the PostgreSQL client package. The dump runs in a snapshot exported by a repeatable-read
 * transaction of our own, so the facts written in the archive's header (migrations, audit head,
 * wrapped keys) are read from exactly the state the dump holds. pg_dump takes no lock that stops
 * reads or writes: the server keeps serving.
 */
export async function dumpPostgres(
  url: string,
  schema: string | undefined,
  dest: string,
  note: (line: string) => void,
): Promise<{ schema: string; serverVersion: string; facts: SnapshotFacts }> {
  const client = await connect(url, schema);
  try {
    await client.query('begin isolation level repeatable read read only');
    const { rows } = await client.query<{ snapshot: string; schema: string | null; version: string }>(
      "select pg_export_snapshot() as snapshot, current_schema() as schema, current_setting('server_version') as version",
    );
    const { snapshot, schema: current, version } = rows[0]!;
    if (current === null) throw new BackupError('the database has no schema on its search path; set TESSERA_DATABASE_SCHEMA', 'usage');
    const facts = await readSnapshotFacts(async (sql) => (await client.query(sql)).rows as Record<string, unknown>[]);
    note(`dumping schema ${current} of PostgreSQL ${version} with pg_dump…`);
    await run(
      'pg_dump',
      ['--format=custom', `--snapshot=${snapshot}`, `--schema=${current}`, '--no-owner', '--no-privileges', `--file=${dest}`],
      url,
    );
    await client.query('commit');
    return { schema: current, serverVersion: version, facts };
  } finally {
    await client.end();
  }
}

/** Whether the target schema holds any table, view or sequence; a restore goes only into an empty one. */
export async function postgresSchemaIsEmpty(url: string, schema: string): Promise<boolean> {
  const client = await connect(url, undefined);
  try {
    const { rows } = await client.query<{ n: string }>(
      "select count(*) as n from pg_class c join pg_namespace s on s.oid = c.relnamespace where s.nspname = $1 and c.relkind in ('r','p','v','m','S','f')",
      [schema],
    );
    return Number(rows[0]!.n) === 0;
  } finally {
    await client.end();
  }
}

/** Restores a dump into `schema` (made if missing) in one transaction, stopping at the first error. */
export async function restorePostgres(url: string, schema: string, dump: string, listFile: string): Promise<void> {
  const client = await connect(url, undefined);
  try {
    await client.query(`create schema if not exists "${schema}"`);
  } finally {
    await client.end();
  }
  // The schema exists now (made above, or empty already): restore everything but its creation.
  const toc = (await listDump(dump)).split('\n').filter((line) => !/^\d+; \d+ \d+ (SCHEMA|COMMENT) - (SCHEMA )?\S+/.test(line));
  writeFileSync(listFile, toc.join('\n') + '\n', { mode: 0o600 });
  await run(
    'pg_restore',
    ['--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction', `--use-list=${listFile}`, dump],
    url,
    true,
  );
}

/** `pg_restore --list`: the dump's table of contents; fails on a file pg_restore cannot read. */
export async function listDump(dump: string): Promise<string> {
  return run('pg_restore', ['--list', dump]);
}

async function connect(url: string, schema: string | undefined): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: 10_000,
    ...(schema !== undefined && { options: `-c search_path=${schema}` }),
  });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (err) {
    throw new BackupError(`cannot connect to PostgreSQL: ${(err as Error).message}`, 'usage');
  }
  return client;
}

/**
 * Runs a PostgreSQL client tool. The database URL goes in as `--dbname` without its password,
 * which travels in PGPASSWORD instead: other users can read a process's arguments.
 */
function run(tool: string, args: string[], url?: string, dbname = url !== undefined): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  const full = [...args];
  if (url !== undefined) {
    const u = new URL(url);
    if (u.password !== '') env.PGPASSWORD = decodeURIComponent(u.password);
    u.password = '';
    if (dbname) full.unshift(`--dbname=${u.toString()}`);
  }
  return new Promise((resolve, reject) => {
    const child = spawn(tool, full, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', (e) =>
      reject(
        new BackupError(
          (e as NodeJS.ErrnoException).code === 'ENOENT'
            ? `${tool} is not installed: install the PostgreSQL client (Debian: apt-get install postgresql-client) of the server's major version or newer`
            : `${tool} failed to start: ${e.message}`,
          'usage',
        ),
      ),
    );
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new BackupError(`${tool} failed (exit ${code}): ${err.trim().split('\n').slice(-3).join(' ')}`)),
    );
  });
}
