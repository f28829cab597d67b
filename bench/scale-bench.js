// `npm run bench:scale`: the scale-out figures (docs/benchmarks.md), on PostgreSQL and Redis.
//   node bench/scale-bench.js [--quick] [--trace] [--clients-nice N]
// 1. HTTP verify on PostgreSQL, cold cache vs warm: the same 1,000 keys picked at random, on a
//    node whose key cache holds 100 records (TESSERA_KEY_CACHE_SIZE=100, its minimum: nearly
//    every verification misses and reads PostgreSQL) and on a node with the default cache, warmed.
// 2. HTTP verify of a key with a rate limit, counted in Redis (one Lua script call per request) vs
//    counted in memory (a node without Redis). The limit is never reached.
// 3. Revocation seen by every node: revoke on node 1, verify on nodes 2 and 3 until both refuse,
//    200 trials on an idle cluster and 200 while the three nodes serve steady verify traffic
//    (bench/steady-traffic.js) at half the cluster's capacity, measured first: the three driven at
//    once without a rate limit. The trials are paced (PAUSE_MS apart), one revocation at a time;
//    the revoke call and the end-to-end time (from sending the revoke), the mean of each phase of
//    the call (node 1's tessera_key_change_phase_seconds), how busy the cores were, and a bulk
//    revoke of one owner's 300 keys.
//    During the loaded trials the load generators stand in for clients on other machines: they
//    run at a lower scheduling priority (CLIENT_NICE), so that when the cores are contended the
//    nodes, PostgreSQL and Redis are served first, as they would be if the clients were elsewhere.
//    The traffic they delivered is reported beside the rate asked for.
// Pairs run in alternating rounds (ABBA…) as in `npm run bench`; medians of each side and of the
// per-round ratios. Needs PostgreSQL and Redis (bench/scale-cluster.js); cleans up after itself.
// Figures go to bench/results/scale.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { build, cpuMs, createDeployment, pool } from './scale-cluster.js';
import { machineBusy, steady } from './steady-traffic.js';
import { int, median, ms, percentile, table } from './stats.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const quick = process.argv.includes('--quick');
// --trace: node 1's phases read after every trial, and the slowest trials printed phase by phase.
const trace = process.argv.includes('--trace');
const started = Date.now();
const log = (line) => process.stderr.write(`[${String(Math.round((Date.now() - started) / 1000)).padStart(3)} s] ${line}\n`);
const ROUNDS = quick ? 2 : 3;
const SECONDS = quick ? 2 : 5;
const WARMUP = quick ? 1 : 2;
const CONNECTIONS = 10;
const TRIALS = quick ? 50 : 200;
const KEYS = 1000;
// Between two revocation trials: each is measured on its own, not on what the previous one left.
const PAUSE_MS = 50;
// The load generators' scheduling priority (nice) during the loaded trials: below the system
// under test's, see above; `--clients-nice 0` runs them at the same priority instead.
const niceArg = process.argv.indexOf('--clients-nice');
const CLIENT_NICE = niceArg === -1 ? 10 : Number(process.argv[niceArg + 1]);
if (!Number.isInteger(CLIENT_NICE) || CLIENT_NICE < 0 || CLIENT_NICE > 19) throw new Error('--clients-nice takes an integer from 0 to 19');

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

  // 3. revocation over three nodes, on an idle cluster and while the cluster serves verify traffic
  //    at about half its capacity. The capacity is measured, not derived from 1: three nodes and
  //    their clients on the same two cores answer far less together than one node alone.
  // The background traffic uses the keys the trials do not revoke: verifications of revoked keys
  // are findings for the detectors (a revoked key still in use), not ordinary traffic.
  const trialKeys = keys.slice(0, 2 * TRIALS);
  const keyList = keys.slice(2 * TRIALS).map((k) => k.key);
  // Measured with the clients at the nodes' own priority: lowered, they would be starved and the
  // capacity understated, and "half" of it would be a lighter load than half.
  const drive = async (seconds) => {
    const clients = a.map((node) => steady(node, 0, keyList, CONNECTIONS));
    await new Promise((r) => setTimeout(r, seconds * 1000));
    return perSecond(await Promise.all(clients.map((c) => c.stop())));
  };
  log(`capacity: the three nodes driven at once without a rate limit, ${WARMUP} s of warm-up, then ${SECONDS} s`);
  await drive(WARMUP);
  const capacity = Math.round(await drive(SECONDS));
  const busy = Math.round(capacity / 2 / 3);
  log(`capacity: ${int(capacity)} verifications/s over the three nodes (one node alone answered ${int(cache.warm.reqPerSec)}/s in 1)`);
  // What the pairs above left to write (analytics every 5 s) is written before the trials start.
  await new Promise((r) => setTimeout(r, 6000));
  const revocation = {};
  for (const [mode, trialSet] of [
    ['idle', trialKeys.slice(0, TRIALS)],
    ['loaded', trialKeys.slice(TRIALS)],
  ]) {
    log(
      `3/3 revocation, ${mode}${mode === 'loaded' ? ` (${int(busy)} verifications/s on each node, half the cluster's capacity)` : ''}: ${TRIALS} trials, revoke on node 1, verify on nodes 2 and 3 until both refuse`,
    );
    await pool(trialSet.length * 2, 16, async (i) => {
      const r = await a[1 + (i % 2)].api('POST', '/v1/keys/verify', { key: trialSet[i >> 1].key });
      if (r.body.code !== 'VALID') throw new Error(`warm-up answered ${r.body.code}`);
    });
    // One revoke before the trials, so that whatever a node does once at its first revoke is not
    // measured (its answer's validators were compiled then, before they were built at start).
    if (mode === 'idle') {
      const spare = await create();
      if ((await a[0].api('POST', `/v1/keys/${spare.id}/revoke`, {})).status !== 200) throw new Error('warm-up revoke failed');
    }
    const background = mode === 'loaded' ? a.map((node) => steady(node, busy, keyList, CONNECTIONS, { nice: CLIENT_NICE })) : [];
    await new Promise((r) => setTimeout(r, mode === 'loaded' ? 1000 : 0));
    const cores = machineBusy();
    const phasesBefore = await phaseSums(a[0]);
    const seen = [];
    const calls = [];
    const traced = [];
    let lastSums = trace ? await Promise.all(a.map((node) => phaseSums(node))) : [];
    for (const t of trialSet) {
      const sent = performance.now();
      const revoked = await a[0].api('POST', `/v1/keys/${t.id}/revoke`, {});
      if (revoked.status !== 200) throw new Error(`revoke answered ${revoked.status}`);
      calls.push(performance.now() - sent);
      await Promise.all(
        [a[1], a[2]].map(async (node) => {
          for (;;) {
            const r = await node.api('POST', '/v1/keys/verify', { key: t.key });
            if (r.body.code === 'REVOKED') return;
            if (r.body.code !== 'VALID') throw new Error(`${node.name} answered ${r.body.code}`);
            if (performance.now() - sent > 5000) throw new Error('revocation not seen within 5 s');
          }
        }),
      );
      seen.push(performance.now() - sent);
      await new Promise((r) => setTimeout(r, PAUSE_MS));
      if (trace) {
        const sums = await Promise.all(a.map((node) => phaseSums(node)));
        traced.push({
          call: calls.at(-1),
          endToEnd: seen.at(-1),
          phases: diffPhases(lastSums[0], sums[0]),
          gc: sums.map((x, i) => ((x.gcSeconds ?? 0) - (lastSums[i].gcSeconds ?? 0)) * 1000),
          lag: sums.map((x) => (x.lagMaxSeconds ?? 0) * 1000),
        });
        lastSums = sums;
      }
    }
    const coresBusyPct = cores.stop();
    if (trace) printTrace(mode, traced);
    const phases = diffPhases(phasesBefore, await phaseSums(a[0]));
    // A bulk revoke: one owner's 300 keys, held in nodes 2 and 3's caches.
    const owned = await pool(300, 8, () => create({ ownerId: `bulk-${mode}` }));
    await new Promise((r) => setTimeout(r, 300));
    await pool(600, 16, async (i) => {
      const r = await a[1 + (i % 2)].api('POST', '/v1/keys/verify', { key: owned[i >> 1].key });
      if (r.body.code !== 'VALID') throw new Error(`warm-up answered ${r.body.code}`);
    });
    const bulkSent = performance.now();
    const bulk = await a[0].api('POST', '/v1/keys/revoke-by-owner', { ownerId: `bulk-${mode}` });
    const bulkCall = performance.now() - bulkSent;
    if (bulk.status !== 200 || bulk.body.revoked !== 300) throw new Error(`bulk revoke answered ${bulk.status}`);
    const still = await pool(
      600,
      16,
      async (i) => (await a[1 + (i % 2)].api('POST', '/v1/keys/verify', { key: owned[i >> 1].key })).body.code,
    );
    if (still.some((c) => c !== 'REVOKED')) throw new Error('a bulk-revoked key still verified on node 2 or 3');
    const served = background.length === 0 ? 0 : Math.round(perSecond(await Promise.all(background.map((b) => b.stop()))));
    seen.sort((x, y) => x - y);
    calls.sort((x, y) => x - y);
    revocation[mode] = {
      trials: seen.length,
      verifyPerSecondPerNode: mode === 'loaded' ? busy : 0,
      machineBusyPct: coresBusyPct,
      backgroundServedPerSecond: served,
      endToEnd: { p50Ms: round(percentile(seen, 50)), p99Ms: round(percentile(seen, 99)), maxMs: round(seen.at(-1)) },
      call: { p50Ms: round(percentile(calls, 50)), p99Ms: round(percentile(calls, 99)), maxMs: round(calls.at(-1)) },
      bulk300: { callMs: round(bulkCall) },
      phasesMeanMs: phases,
    };
    log(
      `${mode}: cores ${coresBusyPct}% busy during the trials; end to end p50 ${revocation[mode].endToEnd.p50Ms} ms, p99 ${revocation[mode].endToEnd.p99Ms} ms; call p50 ${revocation[mode].call.p50Ms} ms, p99 ${revocation[mode].call.p99Ms} ms; bulk of 300 ${revocation[mode].bulk300.callMs} ms`,
    );
  }
  const propagation = revocation.loaded;

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
    clusterCapacityPerSecond: capacity,
    clientsNice: CLIENT_NICE,
    revocation,
    targets: {
      endToEndP99Loaded: { target: '< 100 ms', value: propagation.endToEnd.p99Ms, met: propagation.endToEnd.p99Ms < 100 },
      callP99Loaded: { target: '< 50 ms', value: propagation.call.p99Ms, met: propagation.call.p99Ms < 50 },
      bulkLoaded: { target: '< 100 ms', value: propagation.bulk300.callMs, met: propagation.bulk300.callMs < 100 },
    },
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
      table([
        [`revocation (${TRIALS} trials)`, 'end to end p50', 'p99', 'max', 'call p50', 'p99', 'max', 'bulk of 300'],
        ...['idle', 'loaded'].map((m) => {
          const r = revocation[m];
          return [
            m === 'idle'
              ? `idle cluster (cores ${r.machineBusyPct}% busy)`
              : `${int(r.verifyPerSecondPerNode * 3)} verify/s asked, ${int(r.backgroundServedPerSecond)} served (cores ${r.machineBusyPct}% busy)`,
            ms(r.endToEnd.p50Ms),
            ms(r.endToEnd.p99Ms),
            ms(r.endToEnd.maxMs),
            ms(r.call.p50Ms),
            ms(r.call.p99Ms),
            ms(r.call.maxMs),
            ms(r.bulk300.callMs),
          ];
        }),
      ]),
      `loaded: half the cluster's capacity (${int(capacity)} verify/s, the three nodes driven at once); load generators at nice ${CLIENT_NICE}; trials ${PAUSE_MS} ms apart`,
      `end to end: from sending the revoke until nodes 2 and 3 both answer REVOKED. Under load, targets: end-to-end p99 < 100 ms ${verdict(propagation.endToEnd.p99Ms < 100)}, call p99 < 50 ms ${verdict(propagation.call.p99Ms < 50)}, bulk < 100 ms ${verdict(propagation.bulk300.callMs < 100)}`,
      `revoke call, mean per phase on node 1 (idle | loaded, ms): ${Object.keys(revocation.loaded.phasesMeanMs)
        .map((p) => `${p} ${revocation.idle.phasesMeanMs[p] ?? 0} | ${revocation.loaded.phasesMeanMs[p]}`)
        .join(', ')}`,
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

/** The revoke path's per-phase sums and counts on a node (tessera_key_change_phase_seconds, tessera_bus_publish_seconds). */
async function phaseSums(node) {
  const text = await (await fetch(`${node.url}/metrics`, { headers: node.headers })).text();
  const out = {};
  for (const line of text.split('\n')) {
    const m = /^tessera_key_change_phase_seconds_(sum|count)\{action="revoke",phase="(\w+)"\} (\S+)$/.exec(line);
    if (m) (out[m[2]] ??= { sum: 0, count: 0 })[m[1]] = Number(m[3]);
    // The publish phase split: sending on the bus, then every peer's acknowledgement.
    const b = /^tessera_bus_publish_seconds_(sum|count)\{phase="(\w+)"\} (\S+)$/.exec(line);
    if (b) (out[`bus_${b[2]}`] ??= { sum: 0, count: 0 })[b[1]] = Number(b[3]);
    if (trace) {
      // Time spent collecting garbage, and the event loop's longest delay since the last scrape.
      const g = /^tessera_nodejs_gc_duration_seconds_sum\{kind="(\w+)"\} (\S+)$/.exec(line);
      if (g) out.gcSeconds = (out.gcSeconds ?? 0) + Number(g[2]);
      const l = /^tessera_nodejs_eventloop_lag_max_seconds (\S+)$/.exec(line);
      if (l) out.lagMaxSeconds = Number(l[1]);
    }
  }
  return out;
}

function diffPhases(before, after) {
  const out = {};
  for (const [phase, a] of Object.entries(after)) {
    if (typeof a !== 'object') continue;
    const b = before[phase] ?? { sum: 0, count: 0 };
    out[phase] = a.count === b.count ? 0 : round(((a.sum - b.sum) / (a.count - b.count)) * 1000, 3);
  }
  return out;
}

/** The slowest trials by call time, each with node 1's phases (ms) and what they leave out (HTTP, the event loop). */
function printTrace(mode, traced) {
  const slow = [...traced].sort((x, y) => y.call - x.call).slice(0, 12);
  const names = [...new Set(traced.flatMap((t) => Object.keys(t.phases)))];
  const rows = [['call', 'end to end', ...names, 'outside', 'gc 1/2/3', 'loop lag max 1/2/3']];
  const each = (xs) => xs.map((x) => x.toFixed(0)).join('/');
  for (const t of slow) {
    const inside = ['write', 'audit', 'commit', 'publish'].reduce((s, p) => s + (t.phases[p] ?? 0), 0);
    rows.push([
      t.call.toFixed(1),
      t.endToEnd.toFixed(1),
      ...names.map((n) => (t.phases[n] ?? 0).toFixed(1)),
      (t.call - inside).toFixed(1),
      each(t.gc),
      each(t.lag),
    ]);
  }
  process.stderr.write(`\n${mode}: the 12 slowest revoke calls (ms)\n${table(rows)}\n\n`);
}

/** Answers per second over several load generators: each one's answers over the time it ran, summed. */
function perSecond(runs) {
  return runs.reduce((sum, r) => sum + (r.seconds > 0 ? r.answers / r.seconds : 0), 0);
}

function verdict(met) {
  return met ? 'met' : 'MISSED';
}

function round(x, digits = 2) {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
