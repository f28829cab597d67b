import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A PostgreSQL cluster of a test file's own, with password (scram-sha-256) authentication on
 * TCP: the machine's shared cluster trusts every local login, so a refused password would prove
 * nothing there. `initdb` in a temporary folder, started on a free port by `pg_ctl`, stopped by
 * its postmaster's pid. Start one per test file (it takes about a second).
 */
export interface PrivatePostgres {
  host: '127.0.0.1';
  port: number;
  /** The superuser (`postgres`) and its password. */
  superuser: { username: string; password: string };
  stop(): Promise<void>;
}

const BIN_DIRS = ['/usr/lib/postgresql/17/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/15/bin'];

/** Where initdb and pg_ctl are: a versioned Debian folder, or the PATH. */
function binary(name: string): string {
  for (const dir of BIN_DIRS) if (existsSync(join(dir, name))) return join(dir, name);
  return name;
}

/** initdb refuses to run as root: the cluster then belongs to the `postgres` account. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (line === undefined) throw new Error('running as root needs a postgres account to own the test cluster');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-pg-'));
  const owner = runAs();
  if (owner !== undefined) chownSync(dir, owner.uid, owner.gid);
  const password = randomBytes(18).toString('base64url');
  const pwfile = join(dir, 'pw');
  writeFileSync(pwfile, password + '\n', { mode: 0o600 });
  if (owner !== undefined) chownSync(pwfile, owner.uid, owner.gid);
  const data = join(dir, 'data');
  const opts = {
    stdio: 'pipe' as const,
    ...(owner !== undefined && { uid: owner.uid, gid: owner.gid }),
    env: { ...process.env, LC_ALL: 'C' },
  };
  const init = spawnSync(
    binary('initdb'),
    [
      '-D',
      data,
      '-U',
      'postgres',
      `--pwfile=${pwfile}`,
      '--auth-host=scram-sha-256',
      '--auth-local=scram-sha-256',
      '-E',
      'UTF8',
      '--no-sync',
    ],
    opts,
  );
  if (init.status !== 0) throw new Error(`initdb failed: ${String(init.stderr)}`);
  rmSync(pwfile);
  const port = await freePort();
  // No Unix socket (only TCP with passwords), fsync off: a test cluster need not survive a crash.
  const settings = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  execFileSync(binary('pg_ctl'), ['-D', data, '-l', join(dir, 'log'), '-w', '-o', settings, 'start'], opts);
  const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  return {
    host: '127.0.0.1',
    port,
    superuser: { username: 'postgres', password },
    async stop() {
      try {
        process.kill(pid, 'SIGQUIT'); // an immediate shutdown: the folder is deleted next
      } catch {
        // gone already
      }
      for (let i = 0; i < 200 && alive(pid); i++) await new Promise((r) => setTimeout(r, 25));
      if (alive(pid)) process.kill(pid, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs one SQL command with `psql` as `user` over TCP with a password (never prompting): the
 * exit code (0 ran, 2 could not connect), what it printed, and its error text.
 */
export function psql(
  cluster: Pick<PrivatePostgres, 'host' | 'port'>,
  user: { username: string; password: string },
  sql: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const args = ['-h', cluster.host, '-p', String(cluster.port), '-U', user.username, '-d', 'postgres', '-w', '-XAtq', '-c', sql];
  const env = { ...process.env, PGPASSWORD: user.password, PGCONNECT_TIMEOUT: '5', PGSSLMODE: 'disable', LC_ALL: 'C' };
  return new Promise((resolve) => {
    execFile(binary('psql'), args, { env, timeout: 10_000 }, (err, stdout, stderr) =>
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout: stdout.trim(), stderr: stderr.trim() }),
    );
  });
}
