// `npm run bench:scale`: the scale-out figures of DESIGN §3, on PostgreSQL and Redis.
//   node bench/scale-bench.js [--quick]
// 1. HTTP verify on PostgreSQL, cold cache vs warm: the same 1,000 keys picked at random, on a
//    node whose key cache holds 100 records (TESSERA_KEY_CACHE_SIZE=100, its minimum: nearly
//    every verification misses and reads PostgreSQL) and on a node with the default cache, warmed.
// 2. HTTP verify of a key with a rate limit, counted in Redis (one Lua script call per request) vs
//    counted in memory (a node without Redis). The limit is never reached.
// 3. Revocation seen by every node: revoke on node 1, verify on nodes 2 and 3 until both refuse,
//    200 trials (the method of test/scale/multi-node.test.ts).
// Pairs run in alternating rounds (ABBA…) as in `npm run bench`; medians of each side and of the
// per-round ratios. Needs PostgreSQL and Redis (bench/scale-cluster.js); cleans up after itself.
// Figures go to bench/results/scale.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { build, cpuMs, createDeployment, pool } from './scale-cluster.js';
import { int, median, ms, percentile, table } from './stats.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const quick = process.argv.includes('--quick');
const started = Date.now();
const log = (line) => process.stderr.write(`[${String(Math.round((Date.now() - started) / 1000)).padStart(3)} s] ${line}\n`);
const ROUNDS = quick ? 2 : 3;
const SECONDS = quick ? 2 : 5;
const WARMUP = quick ? 1 : 2;
const CONNECTIONS = 10;
const TRIALS = quick ? 50 : 200;
const KEYS = 1000;

const loadAtStart = loadavg()[0];
build(log);
const deployment = await createDeployment(log);
let exitCode = 1;
try {
  log('starting five nodes: three with Redis (default cache), one with Redis and a 100-record cache, one without Redis');
  const a = [];
  for (let i = 1; i <= 3; i++) a.push(await deployment.startNode(`node ${i}`));
  const cold = await deployment.startNode('cold', { env: { TESSERA_KEY_CACHE_SIZE: '100' } });
  const memory = await deployment.startNode('no Redis', { withRedis: false });
  const ks = (await a[0].api('POST', '/v1/keyspaces', { name: 'bench', prefix: 'sk_bench' })).body;
  const create = async (body = {}) => {
    const r = await a[0].api('POST', '/v1/keys', { keyspaceId: ks.id, ...body });
    if (r.status !== 201) throw new Error(`key creation answered ${r.status}`);
    return { id: r.body.keyId, key: r.body.key };
  };
  log(`creating ${KEYS} keys`);
  const keys = await pool(KEYS, 8, () => create());
  const limited = await create({ ratelimits: [{ name: 'requests', limit: 1_000_000_000, windowMs: 3_600_000 }] });
  await new Promise((r) => setTimeout(r, 300));

  /** One autocannon run on one node; each request's key from `pickKey`; every answer must be VALID. */
  const load = (node, pickKey, seconds) =>
    new Promise((resolve, reject) => {
      const latencies = [];
      let notValid = 0;
      const before = cpuMs(node.pid);
      const instance = autocannon(
        {
          url: `${node.url}/v1/keys/verify`,
          method: 'POST',
          headers: node.headers,
          connections: CONNECTIONS,
          duration: seconds,
          requests: [
            {
              setupRequest: (req) => ({ ...req, body: JSON.stringify({ key: pickKey() }) }),
              onResponse: (status, body) => {
                if (status !== 200 || !body.includes('"code":"VALID"')) notValid++;
              },
            },
          ],
        },
        (err, result) => {
          if (err) return reject(err);
          const bad = result.errors + result.timeouts + result.non2xx + notValid;
          if (bad > 0)
            return reject(
              new Error(
                `${node.name}: ${bad} failed or unexpected answers (errors ${result.errors}, timeouts ${result.timeouts}, non-2xx ${result.non2xx}, not VALID ${notValid})`,
              ),
            );
          latencies.sort((x, y) => x - y);
          const after = cpuMs(node.pid);
          resolve({
            reqPerSec: result.requests.total / result.duration,
            p50: percentile(latencies, 50),
            p99: percentile(latencies, 99),
            serverCpuPct: before === undefined ? null : ((after - before) / (result.duration * 1000)) * 100,
          });
        },
      );
      instance.on('response', (_c, _s, _b, t) => latencies.push(t));
    });

  const randomKey = () => keys[(Math.random() * keys.length) | 0].key;
  /** Alternating rounds of two sides; returns both summaries and the ratio B/A per round. */
  async function pair(label, sides) {
    log(`${label}: warm-up ${WARMUP} s each`);
    for (const s of sides) await load(s.node, s.pick, WARMUP);
    const runs = sides.map(() => []);
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 === 0 ? [0, 1] : [1, 0];
      for (const i of order) {
        const s = sides[i];
        const m = await load(s.node, s.pick, SECONDS);
        runs[i].push(m);
        log(
          `round ${r + 1}/${ROUNDS} ${s.name.padEnd(26)} ${int(m.reqPerSec)} req/s, p50 ${m.p50.toFixed(2)} ms, p99 ${m.p99.toFixed(2)} ms, server CPU ${m.serverCpuPct?.toFixed(0)}%`,
        );
      }
    }
    const summary = (list) => ({
      reqPerSec: Math.round(median(list.map((m) => m.reqPerSec))),
      p50Ms: round(median(list.map((m) => m.p50))),
      p99Ms: round(median(list.map((m) => m.p99))),
      serverCpuPct: list[0].serverCpuPct === null ? null : Math.round(median(list.map((m) => m.serverCpuPct))),
      rounds: list.map((m) => Math.round(m.reqPerSec)),
    });
    const ratios = runs[1].map((m, i) => m.reqPerSec / runs[0][i].reqPerSec);
    return {
      [sides[0].id]: summary(runs[0]),
      [sides[1].id]: summary(runs[1]),
      ratio: round(median(ratios), 3),
      roundRatios: ratios.map((x) => round(x, 3)),
    };
  }

  // 1. cold vs warm cache on PostgreSQL
  log(`warming node 1's cache with the ${KEYS} keys`);
  await pool(KEYS, 10, async (i) => {
    const r = await a[0].api('POST', '/v1/keys/verify', { key: keys[i].key });
    if (r.body.code !== 'VALID') throw new Error(`warm-up answered ${r.body.code}`);
  });
  const cacheBefore = {
    hits: await cold.metric('tessera_key_cache_hits_total'),
    misses: await cold.metric('tessera_key_cache_misses_total'),
  };
  const cache = await pair('1/3 PostgreSQL: cold cache vs warm', [
    { id: 'warm', name: 'warm cache (node 1)', node: a[0], pick: randomKey },
    { id: 'cold', name: 'cold cache (100 records)', node: cold, pick: randomKey },
  ]);
  const hits = (await cold.metric('tessera_key_cache_hits_total')) - cacheBefore.hits;
  const misses = (await cold.metric('tessera_key_cache_misses_total')) - cacheBefore.misses;
  cache.coldHitRatio = round(hits / (hits + misses), 3);
  log(`cold node: ${int(misses)} misses, ${int(hits)} hits (hit ratio ${cache.coldHitRatio})`);

  // 2. rate limit in Redis vs in memory
  const limit = await pair('2/3 rate-limited key: in memory vs Redis', [
    { id: 'memory', name: 'limit in memory (no Redis)', node: memory, pick: () => limited.key },
    { id: 'redis', name: 'limit in Redis (node 1)', node: a[0], pick: () => limited.key },
  ]);

  // 3. revocation propagation over three nodes
  log(`3/3 revocation propagation: ${TRIALS} trials, revoke on node 1, verify on nodes 2 and 3 until both refuse`);
  const trials = keys.slice(0, TRIALS);
  await pool(trials.length * 2, 16, async (i) => {
    const r = await a[1 + (i % 2)].api('POST', '/v1/keys/verify', { key: trials[i >> 1].key });
    if (r.body.code !== 'VALID') throw new Error(`warm-up answered ${r.body.code}`);
  });
  const seen = [];
  const acked = [];
  for (const t of trials) {
    const sent = performance.now();
    const revoked = await a[0].api('POST', `/v1/keys/${t.id}/revoke`, {});
    if (revoked.status !== 200) throw new Error(`revoke answered ${revoked.status}`);
    const start = performance.now();
    acked.push(start - sent);
    await Promise.all(
      [a[1], a[2]].map(async (node) => {
        for (;;) {
          const r = await node.api('POST', '/v1/keys/verify', { key: t.key });
          if (r.body.code === 'REVOKED') return;
          if (r.body.code !== 'VALID') throw new Error(`${node.name} answered ${r.body.code}`);
          if (performance.now() - start > 5000) throw new Error('revocation not seen within 5 s');
        }
      }),
    );
    seen.push(performance.now() - start);
  }
  seen.sort((x, y) => x - y);
  acked.sort((x, y) => x - y);
  const propagation = {
    trials: seen.length,
    p50Ms: round(percentile(seen, 50)),
    p99Ms: round(percentile(seen, 99)),
    maxMs: round(seen.at(-1)),
    revokeCall: { p50Ms: round(percentile(acked, 50)), p99Ms: round(percentile(acked, 99)) },
  };
  log(`propagation: p50 ${propagation.p50Ms} ms, p99 ${propagation.p99Ms} ms, max ${propagation.maxMs} ms`);

  const results = {
    date: new Date().toISOString(),
    quick,
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      node: process.version,
      loadAverage1m: { atStart: loadAtStart, atEnd: loadavg()[0] },
    },
    cache,
    limit,
    propagation,
    targets: { propagationP99: { target: '< 100 ms', value: propagation.p99Ms, met: propagation.p99Ms < 100 } },
    seconds: Math.round((Date.now() - started) / 1000),
  };
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench/results/scale.json'), JSON.stringify(results, null, 2) + '\n');
  const row = (name, s) => [name, int(s.reqPerSec), ms(s.p50Ms), ms(s.p99Ms), s.serverCpuPct === null ? '-' : `${s.serverCpuPct}%`];
  process.stdout.write(
    [
      '',
      `Tessera scale-out benchmark — ${results.date.slice(0, 16).replace('T', ' ')} UTC, Node ${process.version}, ${results.machine.cpu} × ${results.machine.cores}${quick ? ' (--quick)' : ''}`,
      `load average (1 min) at start ${loadAtStart.toFixed(1)}, at end ${results.machine.loadAverage1m.atEnd.toFixed(1)}; PostgreSQL and Redis on the same machine`,
      `HTTP verify, ${CONNECTIONS} connections, ${ROUNDS} alternated rounds of ${SECONDS} s; medians`,
      '',
      table([
        ['case', 'req/s', 'p50', 'p99', 'server CPU'],
        row('PostgreSQL, warm cache', cache.warm),
        row(`PostgreSQL, cold cache (hit ratio ${cache.coldHitRatio})`, cache.cold),
        row('rate limit in memory (no Redis)', limit.memory),
        row('rate limit in Redis', limit.redis),
      ]),
      `cold/warm ${cache.ratio.toFixed(2)} (rounds ${cache.roundRatios.join(', ')}); Redis/memory ${limit.ratio.toFixed(2)} (rounds ${limit.roundRatios.join(', ')})`,
      '',
      `Revocation seen by nodes 2 and 3 after node 1 acknowledged it, ${propagation.trials} trials: p50 ${ms(propagation.p50Ms)}, p99 ${ms(propagation.p99Ms)}, max ${ms(propagation.maxMs)}   target p99 < 100 ms: ${propagation.p99Ms < 100 ? 'met' : 'MISSED'}`,
      `(the revoke call itself took p50 ${ms(propagation.revokeCall.p50Ms)}, p99 ${ms(propagation.revokeCall.p99Ms)})`,
      '',
      `Figures written to bench/results/scale.json (${results.seconds} s in all).`,
      '',
    ].join('\n'),
  );
  exitCode = 0;
} finally {
  await deployment.close();
}
process.exit(exitCode);

function round(x, digits = 2) {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
