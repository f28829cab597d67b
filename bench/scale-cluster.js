// Several `tessera serve` processes on one machine sharing PostgreSQL (own schema) and Redis (own
// key prefix), as in docs/deployment.md. Used by bench/scale-load.js and bench/scale-bench.js.
//
// PostgreSQL: TESSERA_TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test)
// Redis:      TESSERA_TEST_REDIS_URL    (default redis://127.0.0.1:6379)
// BENCH_NODE_FLAGS: Node.js flags for every node, space-separated (say, `--cpu-prof --cpu-prof-dir=…`).
// Everything created (schema, Redis keys, data directories) is removed by close().
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import { deletePrefix } from './redis-prefix.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TESSERA = join(ROOT, 'apps/server/bin/tessera.js');
export const DATABASE_URL = process.env.TESSERA_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.TESSERA_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Brings the compiled server up to date (a no-op when it is); an earlier build is used if this fails. */
export function build(log) {
  log('building (tsc -b apps/server)');
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-b', 'apps/server'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (r.status === 0) return;
  if (!existsSync(join(ROOT, 'apps/server/dist/cli/main.js'))) throw new Error(`the server does not build:\n${r.stdout}${r.stderr}`);
  log(`WARNING: the build failed; measuring the previous build in dist/.\n${(r.stdout + r.stderr).split('\n').slice(0, 10).join('\n')}`);
}

/** The environment of a node: ours without any TESSERA_* variable, plus `extra`. */
function childEnv(extra) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TESSERA_')));
  return { ...env, TESSERA_LOG_REQUESTS: 'false', TESSERA_LOG_LEVEL: 'info', ...extra };
}

async function withPg(fn) {
  const c = new pg.Client({ connectionString: DATABASE_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Resident set size of a process in MB (Linux), or null. */
export function rssMb(pid) {
  try {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
    return Math.round(kb / 102.4) / 10;
  } catch {
    return null;
  }
}

/** CPU time (user + system) a process has used so far, in ms (Linux), or undefined. */
export function cpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

/**
 * A deployment: one schema, one Redis prefix, one keyring (initialised once, copied to every
 * node's data directory). `startNode` adds a node; `withRedis: false` leaves Redis out (the node
 * then uses PostgreSQL LISTEN/NOTIFY and counts rate limits alone).
 */
export async function createDeployment(log) {
  const schema = `tessera_bench_${randomBytes(5).toString('hex')}`;
  const prefix = `tessera-bench:${randomBytes(6).toString('hex')}:`;
  const dirs = [];
  const nodes = [];
  const children = [];
  const base = { TESSERA_DATABASE_URL: DATABASE_URL, TESSERA_DATABASE_SCHEMA: schema };
  const redisEnv = { TESSERA_REDIS_URL: REDIS_URL, TESSERA_REDIS_PREFIX: prefix };
  await withPg((c) => c.query(`create schema ${schema}`));
  const first = mkdtempSync(join(tmpdir(), 'tessera-scale-'));
  dirs.push(first);
  const init = await runTessera(['init', '--data-dir', first, '--json'], { ...base, ...redisEnv });
  const rootKey = JSON.parse(init).rootKey;
  log(`deployment: PostgreSQL schema ${schema}, Redis prefix ${prefix}`);

  const deployment = {
    schema,
    prefix,
    rootKey,
    nodes,
    async startNode(name, { withRedis = true, env = {} } = {}) {
      const dir = mkdtempSync(join(tmpdir(), 'tessera-scale-'));
      cpSync(first, dir, { recursive: true });
      dirs.push(dir);
      const node = await spawnNode(name, dir, { ...base, ...(withRedis ? redisEnv : {}), ...env }, rootKey, children);
      nodes.push(node);
      return node;
    },
    async close() {
      await Promise.all(nodes.map((n) => n.stop()));
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      await withPg((c) => c.query(`drop schema if exists ${schema} cascade`)).catch((e) =>
        log(`could not drop schema ${schema}: ${e.message}`),
      );
      await dropPrefix(prefix).catch((e) => log(`could not delete Redis keys ${prefix}*: ${e.message}`));
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    },
  };
  return deployment;
}

function runTessera(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TESSERA, ...args], { cwd: ROOT, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`tessera ${args[0]} failed (${code}): ${err}${out}`))));
  });
}

async function dropPrefix(prefix) {
  const redis = new Redis(REDIS_URL, { lazyConnect: true });
  await redis.connect();
  try {
    await deletePrefix(redis, prefix);
  } finally {
    redis.disconnect();
  }
}

/** Starts `tessera serve` on a free port; resolves once it listens. Log lines at error level or worse are kept. */
function spawnNode(name, dataDir, env, rootKey, children) {
  const child = spawn(
    process.execPath,
    [...(process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? []), TESSERA, 'serve', '--data-dir', dataDir, '--port', '0'],
    {
      cwd: ROOT,
      env: childEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  const last = [];
  const errors = [];
  const warnings = [];
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  return new Promise((resolve, reject) => {
    let buffer = '';
    let started = false;
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 20 s:\n${last.join('\n')}`)), 20_000);
    const onLine = (line) => {
      if (!started) last.push(line.slice(0, 500));
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
      if (m && !started) {
        started = true;
        clearTimeout(timer);
        resolve(makeNode(name, child, m[1], rootKey, exited, errors, warnings));
      }
      const level = /"level":(\d+)/.exec(line)?.[1];
      if (level !== undefined && Number(level) >= 50) errors.push(line.slice(0, 500));
      else if (level !== undefined && Number(level) >= 40) warnings.push(line.slice(0, 500));
    };
    const onData = (chunk) => {
      buffer += chunk.toString();
      let nl;
      while ((nl = buffer.indexOf('\n')) !== -1) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        onLine(line);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      if (!started) {
        clearTimeout(timer);
        reject(new Error(`${name} exited with ${code}:\n${last.join('\n')}${buffer}`));
      }
    });
  });
}

function makeNode(name, child, url, rootKey, exited, errors, warnings) {
  const headers = { authorization: `Bearer ${rootKey}`, 'content-type': 'application/json' };
  return {
    name,
    url,
    pid: child.pid,
    child,
    errors,
    warnings,
    exited,
    headers,
    async api(method, path, body) {
      const res = await fetch(url + path, {
        method,
        headers,
        ...(body !== undefined && { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(10_000),
      });
      const text = await res.text();
      return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
    },
    /** One sample of a Prometheus metric (the sum of its series), or NaN. */
    async metric(metric) {
      const text = await (await fetch(`${url}/metrics`, { headers })).text();
      const lines = text.split('\n').filter((l) => l.startsWith(`${metric} `) || l.startsWith(`${metric}{`));
      return lines.length === 0 ? NaN : lines.reduce((s, l) => s + Number(l.split(' ').at(-1)), 0);
    },
    stop() {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.kill('SIGTERM');
      return exited.finally(() => clearTimeout(t));
    },
  };
}

/** Runs `total` calls of `fn`, `concurrency` at a time. */
export async function pool(total, concurrency, fn) {
  const results = new Array(total);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, total) }, async () => {
      while (next < total) {
        const i = next++;
        results[i] = await fn(i);
      }
    }),
  );
  return results;
}
