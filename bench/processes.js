// Child processes for the HTTP benchmarks (bench/http.js, bench/oauth.js, bench/code-exchange.js): each server runs in a
// process of its own, started and stopped the same way.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TESSERA = join(ROOT, 'apps/server/bin/tessera.js');

/**
 * Runs `bench` with a fresh data directory (`prefix` and a random tail) and the list of the child
 * processes it starts; when it is done, or fails, stops them and removes the directory.
 */
export async function inScratch(prefix, bench) {
  const dataDir = mkdtempSync(prefix);
  const children = [];
  try {
    return await bench({ dataDir, children });
  } finally {
    await Promise.all(children.map(stop));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The environment for the servers: no TESSERA_* settings from the caller's shell (SQLite, defaults). */
export function cleanEnv() {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TESSERA_')));
}

/**
 * Node.js flags every server a benchmark starts runs with, Tessera and its baselines alike: those
 * `npm start` runs Tessera with (package.json).
 */
export const SERVER_NODE_FLAGS = ['--max-semi-space-size=64'];

/**
 * Starts `node args…` (writing `stdin` to it), with {@link SERVER_NODE_FLAGS} first; resolves with
 * the child and the first stdout line `match` accepts. `env` is added to the clean environment;
 * `cpu`, when given (and `taskset` is there), pins the child to that core.
 */
export function start(args, match, name, stdin, env = {}, cpu = undefined) {
  return new Promise((resolve, reject) => {
    const node = [process.execPath, ...SERVER_NODE_FLAGS, ...args];
    const [command, argv] = cpu === undefined ? [node[0], node.slice(1)] : ['taskset', ['-c', String(cpu), ...node]];
    const child = spawn(command, argv, { cwd: ROOT, env: { ...cleanEnv(), ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let found = false;
    const timer = setTimeout(() => fail(new Error(`${name} did not start within 30 s`)), 30_000);
    const fail = (e) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${e.message}\n${out.slice(-2000)}${err.slice(-2000)}`));
    };
    child.stdin.end(stdin ?? '');
    child.stderr.on('data', (d) => (err = (err + d).slice(-4000)));
    child.stdout.on('data', (d) => {
      if (found) return; // keep draining so the child never blocks on a full pipe
      out += d;
      for (const line of out.split('\n')) {
        const value = match(line);
        if (value !== undefined) {
          found = true;
          clearTimeout(timer);
          return resolve({ child, value });
        }
      }
    });
    child.on('exit', (code) => {
      if (!found) fail(new Error(`${name} exited with code ${code}`));
    });
  });
}

export function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export function run(args, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...cleanEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${args.join(' ')} failed (${code}): ${err}${out}`))));
  });
}

export async function call(base, rootKey, method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: { authorization: `Bearer ${rootKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
  return JSON.parse(text);
}

/** CPU time (user + system) a process has used so far, in milliseconds; undefined off Linux. */
export function cpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return undefined;
  }
}

/**
 * Initialises Tessera (SQLite) in `dataDir` and serves it on a free port (`nodeArgs` before the
 * script; pinned to core `cpu` when given); answers its base URL, the first root key and the
 * child, which the caller stops.
 */
export async function startTessera(dataDir, nodeArgs = [], cpu = undefined) {
  const { rootKey } = JSON.parse(await run([TESSERA, 'init', '--data-dir', dataDir, '--json']));
  const tessera = await start(
    [...nodeArgs, TESSERA, 'serve', '--data-dir', dataDir, '--port', '0'],
    (line) => /listening on (https?:\/\/[^\s"]+)/.exec(line)?.[1],
    'tessera serve',
    undefined,
    {},
    cpu,
  );
  return { base: tessera.value, rootKey, child: tessera.child };
}

/**
 * Pins this process (every thread) to core 0 and answers the core its servers are to be pinned to
 * (the last), when the machine has two cores or more and `taskset` (Linux) is there; else
 * undefined. Two servers compared in turn then run on the same core every round, the load
 * generator on another: left to the scheduler, the same build measured 6–23% apart depending on
 * which of the two was started first.
 */
export function pinForComparison() {
  const last = cpus().length - 1;
  if (last < 1) return undefined;
  const r = spawnSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });
  return r.status === 0 ? last : undefined;
}

/** Lets this process (every thread) run on every core again, after {@link pinForComparison}. */
export function unpin() {
  spawnSync('taskset', ['-a', '-p', '-c', `0-${cpus().length - 1}`, String(process.pid)], { stdio: 'ignore' });
}
