// HTTP benchmark: Tessera's verify endpoint against a bare Fastify route, each server in its own
// process, loaded in turn by autocannon running in this (the benchmark's) process.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { median, percentile } from './stats.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TESSERA = join(ROOT, 'apps/server/bin/tessera.js');
const BARE = join(ROOT, 'bench/bare-server.js');

/** The environment for the servers: no TESSERA_* settings from the caller's shell (SQLite, defaults). */
function cleanEnv() {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TESSERA_')));
}

/** Starts `node args…`; resolves with the child and the first stdout line that `match` accepts. */
function start(args, match, name) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let found = false;
    const timer = setTimeout(() => fail(new Error(`${name} did not start within 20 s`)), 20_000);
    const fail = (e) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${e.message}\n${out.slice(-2000)}${err.slice(-2000)}`));
    };
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

function stop(child) {
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

function run(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${args.join(' ')} failed (${code}): ${err}${out}`))));
  });
}

async function call(base, rootKey, method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: { authorization: `Bearer ${rootKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
  return { text, json: JSON.parse(text) };
}

/** CPU time (user + system) a process has used so far, in milliseconds; undefined off Linux. */
function cpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return undefined;
  }
}

/** One autocannon run; latencies are kept at full resolution (autocannon's own histogram rounds to 1 ms). */
function load(target, { connections, pipelining, seconds }) {
  return new Promise((resolve, reject) => {
    const latencies = [];
    const cpuBefore = cpuMs(target.child.pid);
    const instance = autocannon(
      {
        url: target.url,
        method: 'POST',
        headers: target.headers,
        body: target.body,
        expectBody: target.expectBody,
        connections,
        pipelining,
        duration: seconds,
      },
      (err, result) => {
        if (err) return reject(err);
        const cpuAfter = cpuMs(target.child.pid);
        latencies.sort((a, b) => a - b);
        const seconds = result.duration;
        const bad = result.errors + result.timeouts + result.non2xx + (result.mismatches ?? 0);
        if (bad > 0)
          return reject(
            new Error(
              `${target.name}: ${bad} failed or unexpected answers (errors ${result.errors}, timeouts ${result.timeouts}, non-2xx ${result.non2xx}, mismatches ${result.mismatches})`,
            ),
          );
        resolve({
          reqPerSec: result.requests.total / seconds,
          p50: percentile(latencies, 50),
          p99: percentile(latencies, 99),
          requests: result.requests.total,
          serverCpuPct: cpuBefore === undefined || cpuAfter === undefined ? undefined : ((cpuAfter - cpuBefore) / (seconds * 1000)) * 100,
        });
      },
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  });
}

/**
 * Starts both servers, creates a keyspace and one key in Tessera, then loads the two in turn:
 * a warm-up run each, then `rounds` rounds (order ABBA…) of `seconds` each.
 */
export async function httpBenchmark(
  { rounds = 3, seconds = 5, warmupSeconds = 2, connections = 10, pipelining = 1, tesseraNodeArgs = [], bareNodeArgs = [] },
  log,
) {
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-bench-'));
  const children = [];
  try {
    log('initialising Tessera (SQLite) in a temporary data dir');
    const { rootKey } = JSON.parse(await run([TESSERA, 'init', '--data-dir', dataDir, '--json']));
    const tessera = await start(
      [...tesseraNodeArgs, TESSERA, 'serve', '--data-dir', dataDir, '--port', '0'],
      (line) => /listening on (https?:\/\/[^\s"]+)/.exec(line)?.[1],
      'tessera serve',
    );
    children.push(tessera.child);
    const base = tessera.value;
    const ks = await call(base, rootKey, 'POST', '/v1/keyspaces', { name: 'bench', prefix: 'sk' });
    const { key } = (await call(base, rootKey, 'POST', '/v1/keys', { keyspaceId: ks.json.id, ownerId: 'user_bench', name: 'bench key' }))
      .json;
    const body = JSON.stringify({ key });
    const answer = await call(base, rootKey, 'POST', '/v1/keys/verify', { key });
    if (answer.json.code !== 'VALID') throw new Error(`verify answered ${answer.text}`);
    const answerBytes = Buffer.byteLength(answer.text);
    log(`Tessera at ${base}; a valid verify answer is ${answerBytes} bytes`);

    const bare = await start(
      [...bareNodeArgs, BARE, String(answerBytes)],
      (line) => (line.startsWith('{"port"') ? JSON.parse(line).port : undefined),
      'bare Fastify',
    );
    children.push(bare.child);
    const bareUrl = `http://127.0.0.1:${bare.value}/v1/keys/verify`;
    const bareAnswer = await (await fetch(bareUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).text();
    if (Buffer.byteLength(bareAnswer) !== answerBytes)
      throw new Error(`bare answer is ${Buffer.byteLength(bareAnswer)} bytes, not ${answerBytes}`);

    // The same request for both: same headers, same body; both answers checked byte for byte.
    const headers = { authorization: `Bearer ${rootKey}`, 'content-type': 'application/json' };
    const targets = [
      { name: 'tessera', url: `${base}/v1/keys/verify`, headers, body, expectBody: answer.text, child: tessera.child },
      { name: 'bare', url: bareUrl, headers, body, expectBody: bareAnswer, child: bare.child },
    ];
    const opts = { connections, pipelining, seconds };
    log(`warm-up: ${warmupSeconds} s each, ${connections} connections, pipelining ${pipelining}`);
    for (const t of targets) await load(t, { ...opts, seconds: warmupSeconds });

    const runs = { tessera: [], bare: [] };
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? targets : [...targets].reverse();
      for (const t of order) {
        const m = await load(t, opts);
        runs[t.name].push(m);
        log(
          `round ${r + 1}/${rounds} ${t.name.padEnd(7)} ${Math.round(m.reqPerSec).toLocaleString('en-US')} req/s, p50 ${m.p50.toFixed(2)} ms, p99 ${m.p99.toFixed(2)} ms${m.serverCpuPct === undefined ? '' : `, server CPU ${m.serverCpuPct.toFixed(0)}%`}`,
        );
      }
    }
    const summary = (list) => ({
      reqPerSec: Math.round(median(list.map((m) => m.reqPerSec))),
      p50Ms: round2(median(list.map((m) => m.p50))),
      p99Ms: round2(median(list.map((m) => m.p99))),
      serverCpuPct: list[0].serverCpuPct === undefined ? null : Math.round(median(list.map((m) => m.serverCpuPct))),
      rounds: list.map((m) => ({
        reqPerSec: Math.round(m.reqPerSec),
        p50Ms: round2(m.p50),
        p99Ms: round2(m.p99),
        serverCpuPct: m.serverCpuPct === undefined ? null : Math.round(m.serverCpuPct),
      })),
    });
    // The ratio of each round's pair, then their median: the two ran seconds apart, under the same load.
    const ratios = runs.tessera.map((t, i) => t.reqPerSec / runs.bare[i].reqPerSec);
    return {
      answerBytes,
      connections,
      pipelining,
      seconds,
      tessera: summary(runs.tessera),
      bare: summary(runs.bare),
      ratio: round2(median(ratios), 3),
      roundRatios: ratios.map((x) => round2(x, 3)),
    };
  } finally {
    await Promise.all(children.map(stop));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function round2(x, digits = 2) {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
