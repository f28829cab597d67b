// HTTP benchmark: Tessera's verify endpoint against a bare Fastify route, each server in its own
// process, loaded in turn by autocannon running in this (the benchmark's) process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { median, percentile } from './stats.js';
import { call, cpuMs, run, start, stop } from './processes.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TESSERA = join(ROOT, 'apps/server/bin/tessera.js');
const BARE = join(ROOT, 'bench/bare-server.js');

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
    const { key } = await call(base, rootKey, 'POST', '/v1/keys', { keyspaceId: ks.id, ownerId: 'user_bench', name: 'bench key' });
    const body = JSON.stringify({ key });
    // The exact bytes of a VALID answer: every answer under load is compared with them.
    const headers = { authorization: `Bearer ${rootKey}`, 'content-type': 'application/json' };
    const answer = await (await fetch(`${base}/v1/keys/verify`, { method: 'POST', headers, body })).text();
    if (JSON.parse(answer).code !== 'VALID') throw new Error(`verify answered ${answer}`);
    const answerBytes = Buffer.byteLength(answer);
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
    const targets = [
      { name: 'tessera', url: `${base}/v1/keys/verify`, headers, body, expectBody: answer, child: tessera.child },
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
