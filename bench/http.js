// HTTP benchmark: Tessera's verify endpoint against a bare Fastify route, each server in its own
// process, loaded in turn by autocannon running in this (the benchmark's) process.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { keyChecksum, RANDOM_LENGTH } from '@tessera/api';
import { randomBase62 } from '@tessera/core';
import { median, percentile } from './stats.js';
import { call, cpuMs, inScratch, pinForComparison, start, startTessera, stop, unpin } from './processes.js';
import { ROUNDS } from './rounds.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BARE = join(ROOT, 'bench/bare-server.js');

/**
 * One autocannon run; latencies are kept at full resolution (autocannon's own histogram rounds to
 * 1 ms). A target checks its answers with `expectBody` (the exact bytes) or `verifyBody`, and may
 * vary its requests with `requests` (autocannon's list, e.g. a `setupRequest` per request).
 */
export function load(target, { connections, pipelining, seconds }) {
  return new Promise((resolve, reject) => {
    const latencies = [];
    const cpuBefore = cpuMs(target.child.pid);
    const instance = autocannon(
      {
        url: target.url,
        method: 'POST',
        headers: target.headers,
        body: target.body,
        ...(target.expectBody !== undefined && { expectBody: target.expectBody }),
        ...(target.verifyBody !== undefined && { verifyBody: target.verifyBody }),
        ...(target.requests !== undefined && { requests: target.requests }),
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
          // CPU time the server spent per answer (µs): steadier than req/s on a shared machine.
          serverCpuUsPerReq:
            cpuBefore === undefined || cpuAfter === undefined ? undefined : ((cpuAfter - cpuBefore) * 1000) / result.requests.total,
        });
      },
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  });
}

/** A key of the right shape whose checksum is wrong: refused before any lookup (MALFORMED). */
function badChecksum(key) {
  const last = key.at(-1) === 'A' ? 'B' : 'A';
  return key.slice(0, -1) + last;
}

/**
 * Starts Tessera, creates a keyspace and one key, then, for each scenario (a valid key, an
 * unknown key of the right shape, a malformed key), a bare Fastify server answering exactly the
 * bytes Tessera answers to that request. Each scenario loads its two servers in turn: a warm-up
 * run each, then `rounds` rounds (order ABBA…) of `seconds` each.
 */
export async function httpBenchmark(options, log) {
  const { rounds, seconds, warmupSeconds, connections, pipelining, tesseraNodeArgs, bareNodeArgs, scenarios, pin } = {
    ...ROUNDS,
    pipelining: 1,
    bareNodeArgs: [],
    scenarios: ['valid', 'unknown', 'malformed'],
    pin: true,
    ...options,
  };
  // Both servers on one core (every thread of theirs, the garbage collector's helpers too), the
  // load on another: each side has the same one core, whatever else the machine runs.
  const cpu = pin ? pinForComparison() : undefined;
  log(cpu === undefined ? 'servers not pinned to a core' : `both servers pinned to core ${cpu}, the load generator to core 0`);
  try {
    return await inScratch(join(tmpdir(), 'tessera-bench-'), async ({ dataDir, children }) => {
      log('initialising Tessera (SQLite) in a temporary data dir');
      const { base, rootKey, child } = await startTessera(dataDir, tesseraNodeArgs, cpu);
      children.push(child);
      const ks = await call(base, rootKey, 'POST', '/v1/keyspaces', { name: 'bench', prefix: 'sk' });
      const { key } = await call(base, rootKey, 'POST', '/v1/keys', { keyspaceId: ks.id, ownerId: 'user_bench', name: 'bench key' });
      // A key of the keyspace's shape, with a valid checksum, that was never issued.
      const unknownKey = `sk_${randomBase62(RANDOM_LENGTH)}`;
      const keys = { valid: key, unknown: unknownKey + keyChecksum(unknownKey), malformed: badChecksum(key) };
      const codes = { valid: 'VALID', unknown: 'NOT_FOUND', malformed: 'MALFORMED' };
      const headers = { authorization: `Bearer ${rootKey}`, 'content-type': 'application/json' };
      const out = {};
      for (const scenario of scenarios) {
        const body = JSON.stringify({ key: keys[scenario] });
        // The exact bytes of Tessera's answer: every answer under load is compared with them.
        const answer = await (await fetch(`${base}/v1/keys/verify`, { method: 'POST', headers, body })).text();
        if (JSON.parse(answer).code !== codes[scenario]) throw new Error(`verify of the ${scenario} key answered ${answer}`);
        const answerBytes = Buffer.byteLength(answer);
        log(`${scenario} key: Tessera at ${base} answers ${answerBytes} bytes; a bare Fastify route answers the same`);

        const bare = await start(
          [...bareNodeArgs, BARE, '--answer', answer],
          (line) => (line.startsWith('{"port"') ? JSON.parse(line).port : undefined),
          'bare Fastify',
          undefined,
          {},
          cpu,
        );
        children.push(bare.child);
        const bareUrl = `http://127.0.0.1:${bare.value}/v1/keys/verify`;
        const bareAnswer = await (await fetch(bareUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).text();
        if (bareAnswer !== answer) throw new Error(`the bare server answers ${bareAnswer}, not ${answer}`);

        // The same request for both: same headers, same body; both answers checked byte for byte.
        const targets = [
          { name: 'tessera', url: `${base}/v1/keys/verify`, headers, body, expectBody: answer, child },
          { name: 'bare', url: bareUrl, headers, body, expectBody: answer, child: bare.child },
        ];
        const opts = { connections, pipelining, seconds };
        log(`${scenario}: warm-up ${warmupSeconds} s each, ${connections} connections, pipelining ${pipelining}`);
        for (const t of targets) await load(t, { ...opts, seconds: warmupSeconds });

        const runs = { tessera: [], bare: [] };
        for (let r = 0; r < rounds; r++) {
          const order = r % 2 === 0 ? targets : [...targets].reverse();
          for (const t of order) {
            const m = await load(t, opts);
            runs[t.name].push(m);
            log(
              `${scenario} round ${r + 1}/${rounds} ${t.name.padEnd(7)} ${Math.round(m.reqPerSec).toLocaleString('en-US')} req/s, p50 ${m.p50.toFixed(2)} ms, p99 ${m.p99.toFixed(2)} ms${m.serverCpuPct === undefined ? '' : `, server CPU ${m.serverCpuPct.toFixed(0)}%`}`,
            );
          }
        }
        await stop(bare.child);
        // The ratio of each round's pair, then their median: the two ran seconds apart, under the same load.
        const ratios = runs.tessera.map((t, i) => t.reqPerSec / runs.bare[i].reqPerSec);
        out[scenario] = {
          answerBytes,
          tessera: summary(runs.tessera),
          bare: summary(runs.bare),
          ratio: round2(median(ratios), 3),
          roundRatios: ratios.map((x) => round2(x, 3)),
          p99Ratio: round2(median(runs.tessera.map((t, i) => t.p99 / runs.bare[i].p99)), 3),
        };
      }
      // The valid-key scenario's figures stay at the top level, where earlier results kept them.
      return { connections, pipelining, seconds, pinnedCore: cpu ?? null, ...(out.valid ?? {}), scenarios: out };
    });
  } finally {
    if (cpu !== undefined) unpin();
  }
}

function summary(list) {
  return {
    reqPerSec: Math.round(median(list.map((m) => m.reqPerSec))),
    p50Ms: round2(median(list.map((m) => m.p50))),
    p99Ms: round2(median(list.map((m) => m.p99))),
    serverCpuPct: list[0].serverCpuPct === undefined ? null : Math.round(median(list.map((m) => m.serverCpuPct))),
    serverCpuUsPerReq: list[0].serverCpuUsPerReq === undefined ? null : round2(median(list.map((m) => m.serverCpuUsPerReq)), 1),
    rounds: list.map((m) => ({
      reqPerSec: Math.round(m.reqPerSec),
      p50Ms: round2(m.p50),
      p99Ms: round2(m.p99),
      serverCpuPct: m.serverCpuPct === undefined ? null : Math.round(m.serverCpuPct),
      serverCpuUsPerReq: m.serverCpuUsPerReq === undefined ? null : round2(m.serverCpuUsPerReq, 1),
    })),
  };
}

function round2(x, digits = 2) {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
