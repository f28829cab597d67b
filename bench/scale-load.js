// Sustained load on three nodes sharing PostgreSQL and Redis, every answer checked against an
// oracle this script computes (issue: "Load: a sustained 60-second run ... zero 5xx, zero wrong
// answers, memory flat").
//
//   node bench/scale-load.js [--seconds 60] [--connections 8]     (npm run bench:load)
//
// --connections is per node (one autocannon instance per node, all three at once).
// Needs PostgreSQL and Redis (see bench/scale-cluster.js); uses its own schema and Redis prefix
// and removes them afterwards. Exit status 1 when any answer was wrong or any request failed.
//
// The mix, each request's key picked at random when it is sent:
//   valid        keys without limits                        → VALID, always
//   revoked      keys revoked one after another during the run, each through one of the nodes:
//                sent after the revocation was acknowledged → REVOKED on every node;
//                answered before it was sent                → VALID; in between either.
//                Half of this traffic goes to the key being revoked or the one revoked last.
//   rate-limited keys with a limit per fixed window, some per key, some shared by an owner's keys:
//                VALID or RATE_LIMITED; per window, across all nodes, the VALID answers surely in
//                the window never exceed the limit, and wherever RATE_LIMITED was answered the
//                VALID answers possibly in it reach the limit (exact, not merely below it)
//   unknown      well-formed keys never issued              → NOT_FOUND
//   malformed    bad checksum, bad characters, wrong shape  → MALFORMED
// Every answer must be 200 with the expected code (and the key's id where there is one).
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg, cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { generateKey } from '@tessera/core';
import { build, cpuMs, createDeployment, pool, rssMb } from './scale-cluster.js';
import { int, percentile, table } from './stats.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values: opts } = parseArgs({
  options: { seconds: { type: 'string', default: '60' }, connections: { type: 'string', default: '8' } },
});
const SECONDS = Number(opts.seconds);
const CONNECTIONS = Number(opts.connections);
const started = Date.now();
const log = (line) => process.stderr.write(`[${String(Math.round((Date.now() - started) / 1000)).padStart(3)} s] ${line}\n`);
/** Wall-clock milliseconds with sub-millisecond resolution (the nodes' windows use the same clock). */
const now = () => performance.timeOrigin + performance.now();

const MIX = [
  ['valid', 0.3],
  ['revoked', 0.2],
  ['limited', 0.2],
  ['unknown', 0.15],
  ['malformed', 0.15],
];
const WINDOW_MS = 10_000;
const KEY_LIMIT = 25; // per key and window
const OWNER_LIMIT = 50; // per owner (3 keys) and window

const loadAtStart = loadavg()[0];
build(log);
const deployment = await createDeployment(log);
let exitCode = 1;
const onSignal = async () => {
  log('interrupted: cleaning up');
  await deployment.close();
  process.exit(130);
};
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);

try {
  const nodes = [];
  for (let i = 1; i <= 3; i++) nodes.push(await deployment.startNode(`node ${i}`));
  log(`three nodes: ${nodes.map((n) => n.url).join(', ')}`);
  const n1 = nodes[0];
  const ks = (await n1.api('POST', '/v1/keyspaces', { name: 'load', prefix: 'sk_load' })).body;
  const create = async (body) => {
    const r = await n1.api('POST', '/v1/keys', { keyspaceId: ks.id, ...body });
    if (r.status !== 201) throw new Error(`key creation answered ${r.status}: ${JSON.stringify(r.body)}`);
    return { id: r.body.keyId, key: r.body.key };
  };

  // --- the keys and what each must answer
  const REVOKE_EVERY_MS = 350;
  const revokeCount = Math.max(10, Math.floor(((SECONDS - 6) * 1000) / REVOKE_EVERY_MS));
  log(
    `creating keys: 100 valid, ${revokeCount} to revoke, 6 with a limit of ${KEY_LIMIT} per ${WINDOW_MS / 1000} s, 3 sharing an owner limit of ${OWNER_LIMIT}`,
  );
  const valid = await pool(100, 8, () => create({ name: 'valid' }));
  const revocable = (await pool(revokeCount, 8, () => create({ name: 'to revoke' }))).map((k) => ({
    ...k,
    sentAt: undefined,
    ackAt: undefined,
    via: undefined,
  }));
  const limited = [];
  for (let i = 0; i < 6; i++)
    limited.push({
      ...(await create({ name: `limited ${i}`, ratelimits: [{ name: 'requests', limit: KEY_LIMIT, windowMs: WINDOW_MS }] })),
      limitId: `key-${i}`,
      limit: KEY_LIMIT,
    });
  for (let i = 0; i < 3; i++) {
    limited.push({
      ...(await create({
        name: `owner ${i}`,
        ownerId: 'org_load',
        ratelimits: [{ name: 'org', limit: OWNER_LIMIT, windowMs: WINDOW_MS, identity: 'owner' }],
      })),
      limitId: 'owner org_load',
      limit: OWNER_LIMIT,
    });
  }
  const unknown = Array.from({ length: 2000 }, () => generateKey('sk_load'));
  const malformed = makeMalformed(valid.map((k) => k.key));

  await new Promise((r) => setTimeout(r, 300)); // the creations' own invalidations land first
  log('warming every node with the valid keys and the keys to revoke');
  await pool(nodes.length * (valid.length + revocable.length), 12, async (i) => {
    const node = nodes[i % nodes.length];
    const k = [...valid, ...revocable][Math.floor(i / nodes.length)];
    const r = await node.api('POST', '/v1/keys/verify', { key: k.key });
    if (r.body?.code !== 'VALID') throw new Error(`warm-up: ${node.name} answered ${r.status} ${JSON.stringify(r.body)}`);
  });

  // --- the oracle
  const counts = { total: 0, byClass: {}, byCode: {}, non200: 0, status5xx: 0, wrong: 0 };
  const wrong = []; // the first few wrong answers, for the report
  const revokedChecks = { afterAck: 0, beforeSend: 0, inFlight: 0, inFlightRevoked: 0 };
  const limitedAnswers = new Map(); // limitId → [{ sent, recv, valid }]
  let hot = 0; // index of the key being revoked now (or the last one revoked)
  const violation = (what, ctx, answer) => {
    counts.wrong++;
    if (wrong.length < 20) wrong.push(`${what}: ${ctx.cls} key on node ${ctx.node + 1}, answered ${answer}`);
  };
  const pick = (ctx) => {
    let r = Math.random();
    let cls = MIX[MIX.length - 1][0];
    for (const [name, p] of MIX) {
      if (r < p) {
        cls = name;
        break;
      }
      r -= p;
    }
    ctx.cls = cls;
    switch (cls) {
      case 'valid':
        ctx.k = valid[(Math.random() * valid.length) | 0];
        return ctx.k.key;
      case 'revoked': {
        const i =
          Math.random() < 0.5
            ? Math.min(revocable.length - 1, Math.max(0, hot - (Math.random() < 0.5 ? 1 : 0)))
            : (Math.random() * revocable.length) | 0;
        ctx.k = revocable[i];
        return ctx.k.key;
      }
      case 'limited':
        ctx.k = limited[(Math.random() * limited.length) | 0];
        return ctx.k.key;
      case 'unknown':
        ctx.k = undefined;
        return unknown[(Math.random() * unknown.length) | 0];
      default:
        ctx.k = undefined;
        return malformed[(Math.random() * malformed.length) | 0];
    }
  };
  const check = (ctx, status, body, recv) => {
    counts.total++;
    counts.byClass[ctx.cls] = (counts.byClass[ctx.cls] ?? 0) + 1;
    if (status !== 200) {
      counts.non200++;
      if (status >= 500) counts.status5xx++;
      return violation(`HTTP ${status}`, ctx, body.slice(0, 200));
    }
    let answer;
    try {
      answer = JSON.parse(body);
    } catch {
      return violation('not JSON', ctx, body.slice(0, 200));
    }
    const code = answer.code;
    counts.byCode[code] = (counts.byCode[code] ?? 0) + 1;
    const k = ctx.k;
    if (k !== undefined && code !== 'MALFORMED' && code !== 'NOT_FOUND' && answer.keyId !== k.id)
      return violation(`answer for another key (${answer.keyId})`, ctx, code);
    switch (ctx.cls) {
      case 'valid':
        if (code !== 'VALID') violation('valid key refused', ctx, code);
        return;
      case 'unknown':
        if (code !== 'NOT_FOUND') violation('unknown key not NOT_FOUND', ctx, code);
        return;
      case 'malformed':
        if (code !== 'MALFORMED') violation('malformed key not MALFORMED', ctx, code);
        return;
      case 'revoked':
        if (k.ackAt !== undefined && ctx.sent > k.ackAt) {
          revokedChecks.afterAck++;
          if (code !== 'REVOKED')
            violation(
              `revoked key answered ${code} ${(ctx.sent - k.ackAt).toFixed(2)} ms after its revocation was acknowledged by node ${k.via + 1}`,
              ctx,
              code,
            );
        } else if (k.sentAt === undefined || recv < k.sentAt) {
          revokedChecks.beforeSend++;
          if (code !== 'VALID') violation('key refused before its revocation was sent', ctx, code);
        } else {
          revokedChecks.inFlight++;
          if (code === 'REVOKED') revokedChecks.inFlightRevoked++;
          else if (code !== 'VALID') violation('key neither VALID nor REVOKED while its revocation was in flight', ctx, code);
        }
        return;
      case 'limited': {
        if (code !== 'VALID' && code !== 'RATE_LIMITED') return violation('rate-limited key', ctx, code);
        let list = limitedAnswers.get(k.limitId);
        if (list === undefined) limitedAnswers.set(k.limitId, (list = []));
        list.push({ sent: ctx.sent, recv, valid: code === 'VALID' });
        return;
      }
    }
  };

  // --- the run
  const rssBefore = nodes.map((n) => rssMb(n.pid));
  const cpuBefore = nodes.map((n) => cpuMs(n.pid));
  const rssSamples = [];
  const latencies = [];
  const errors = { errors: 0, timeouts: 0, non2xx: 0 };
  const loadAvgBefore = loadavg()[0];
  log(
    `load: ${SECONDS} s, ${CONNECTIONS} connections per node, 3 nodes; RSS before (MB): ${rssBefore.join(', ')}; load average ${loadAvgBefore.toFixed(2)}`,
  );
  const runStart = now();
  const sampler = setInterval(
    () => rssSamples.push({ t: Math.round((now() - runStart) / 1000), rss: nodes.map((n) => rssMb(n.pid)) }),
    5000,
  );
  const runs = nodes.map(
    (node, n) =>
      new Promise((resolve, reject) => {
        const instance = autocannon(
          {
            url: `${node.url}/v1/keys/verify`,
            method: 'POST',
            headers: node.headers,
            connections: CONNECTIONS,
            pipelining: 1,
            duration: SECONDS,
            timeout: 10,
            requests: [
              {
                setupRequest(req, ctx) {
                  ctx.node = n;
                  const key = pick(ctx);
                  ctx.sent = now(); // called just before the request is written (pipelining 1)
                  return { ...req, body: JSON.stringify({ key }) };
                },
                onResponse(status, body, ctx) {
                  check(ctx, status, body, now());
                },
              },
            ],
          },
          (err, result) => (err ? reject(err) : resolve(result)),
        );
        instance.on('response', (_c, _s, _b, ms) => latencies.push(ms));
      }),
  );

  // Revocations, one after another, each through the next node; the load never pauses.
  const revoker = (async () => {
    await new Promise((r) => setTimeout(r, 3000));
    for (let i = 0; i < revocable.length && now() - runStart < (SECONDS - 2) * 1000; i++) {
      const k = revocable[i];
      const via = i % nodes.length;
      hot = i;
      k.via = via;
      k.sentAt = now();
      const r = await nodes[via].api('POST', `/v1/keys/${k.id}/revoke`, { reason: 'load run' });
      if (r.status !== 200)
        throw new Error(
          `revocation through ${nodes[via].name} answered ${r.status}: ${JSON.stringify(r.body)}\n${nodes[via].errors.slice(-3).join('\n')}`,
        );
      k.ackAt = now();
      await new Promise((res) => setTimeout(res, REVOKE_EVERY_MS));
    }
  })();

  const results = await Promise.all(runs);
  const runSeconds = (now() - runStart) / 1000;
  await revoker;
  clearInterval(sampler);
  const rssAfter = nodes.map((n) => rssMb(n.pid));
  const cpuAfter = nodes.map((n) => cpuMs(n.pid));
  const loadAvgAfter = loadavg()[0];
  for (const r of results) {
    errors.errors += r.errors;
    errors.timeouts += r.timeouts;
    errors.non2xx += r.non2xx;
  }
  log(`load done: ${int(counts.total)} answers checked; RSS after (MB): ${rssAfter.join(', ')}`);

  // --- rate limits, per window, across the nodes
  const windows = [];
  for (const [limitId, list] of limitedAnswers) {
    const limit = limited.find((k) => k.limitId === limitId).limit;
    const byWindow = new Map();
    const w = (t) => Math.floor(t / WINDOW_MS);
    for (const a of list) {
      const ws = w(a.sent);
      const wr = w(a.recv);
      for (let x = ws; x <= wr; x++) {
        let s = byWindow.get(x);
        if (s === undefined) byWindow.set(x, (s = { surelyValid: 0, maybeValid: 0, limited: 0, requests: 0 }));
        s.requests++;
        if (a.valid) {
          s.maybeValid++;
          if (ws === wr) s.surelyValid++;
        } else if (ws === wr) s.limited++;
      }
    }
    for (const [x, s] of [...byWindow].sort((a, b) => a[0] - b[0])) {
      const over = s.surelyValid > limit;
      const under = s.limited > 0 && s.maybeValid < limit;
      if (over || under) {
        counts.wrong++;
        if (wrong.length < 20)
          wrong.push(
            `${limitId}, window ${new Date(x * WINDOW_MS).toISOString()}: ${s.surelyValid}–${s.maybeValid} admitted, limit ${limit}, ${s.limited} refused`,
          );
      }
      windows.push({
        limitId,
        window: new Date(x * WINDOW_MS).toISOString(),
        limit,
        admittedSurely: s.surelyValid,
        admittedPossibly: s.maybeValid,
        refused: s.limited,
        ok: !over && !under,
      });
    }
  }

  // --- after the load: every node answers the final state (and nothing crashed)
  await new Promise((r) => setTimeout(r, 200));
  const revokedKeys = revocable.filter((k) => k.ackAt !== undefined);
  let finalWrong = 0;
  await pool(nodes.length * (revokedKeys.length + valid.length), 12, async (i) => {
    const node = nodes[i % nodes.length];
    const j = Math.floor(i / nodes.length);
    const [k, want] = j < revokedKeys.length ? [revokedKeys[j], 'REVOKED'] : [valid[j - revokedKeys.length], 'VALID'];
    const r = await node.api('POST', '/v1/keys/verify', { key: k.key });
    if (r.body?.code !== want) {
      finalWrong++;
      if (wrong.length < 20) wrong.push(`after the load: ${node.name} answered ${r.body?.code} for a key that must be ${want}`);
    }
  });
  counts.wrong += finalWrong;
  const fallbacks = await Promise.all(nodes.map((n) => n.metric('tessera_ratelimit_fallback_total')));
  const resyncs = await Promise.all(nodes.map((n) => n.metric('tessera_bus_resyncs_total')));
  await new Promise((r) => setTimeout(r, 10_000));
  const rssSettled = nodes.map((n) => rssMb(n.pid));
  const nodeErrors = nodes.map((n) => n.errors.length);
  const alive = nodes.map((n) => n.child.exitCode === null && n.child.signalCode === null);

  latencies.sort((a, b) => a - b);
  const throughput = counts.total / runSeconds;
  const summary = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: `${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}`,
    loadAverage1m: { atStart: loadAtStart, beforeLoad: loadAvgBefore, afterLoad: loadAvgAfter },
    seconds: Math.round(runSeconds * 10) / 10,
    connections: CONNECTIONS * nodes.length,
    requests: counts.total,
    reqPerSec: Math.round(throughput),
    latencyMs: { p50: round(percentile(latencies, 50)), p99: round(percentile(latencies, 99)), max: round(latencies.at(-1)) },
    autocannon: errors,
    non200: counts.non200,
    status5xx: counts.status5xx,
    wrongAnswers: counts.wrong,
    wrong,
    byClass: counts.byClass,
    byCode: counts.byCode,
    revocations: {
      acknowledged: revokedKeys.length,
      answersAfterAck: revokedChecks.afterAck,
      answersBeforeSend: revokedChecks.beforeSend,
      answersInFlight: revokedChecks.inFlight,
      inFlightAnsweredRevoked: revokedChecks.inFlightRevoked,
    },
    rateLimitWindows: {
      checked: windows.length,
      saturated: windows.filter((w) => w.refused > 0).length,
      wrong: windows.filter((w) => !w.ok).length,
      list: windows,
    },
    nodes: nodes.map((n, i) => ({
      name: n.name,
      rssMbBefore: rssBefore[i],
      rssMbAfter: rssAfter[i],
      rssMbSettled: rssSettled[i],
      cpuPct: cpuBefore[i] === undefined ? null : Math.round(((cpuAfter[i] - cpuBefore[i]) / (runSeconds * 1000)) * 100),
      errorLogLines: nodeErrors[i],
      rateLimitFallbacks: fallbacks[i],
      busResyncs: resyncs[i],
      alive: alive[i],
    })),
    rssSamples,
  };
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench/results/scale-load.json'), JSON.stringify(summary, null, 2) + '\n');

  const out = [
    '',
    `Tessera load run — ${summary.date.slice(0, 16).replace('T', ' ')} UTC, Node ${process.version}, ${summary.cpu}`,
    `load average (1 min): ${loadAtStart.toFixed(2)} at start, ${loadAvgBefore.toFixed(2)} before the load, ${loadAvgAfter.toFixed(2)} after it`,
    `3 nodes on PostgreSQL + Redis, ${summary.connections} connections (${CONNECTIONS} per node), ${summary.seconds} s`,
    '',
    table([
      ['requests', 'req/s', 'p50', 'p99', 'max', 'non-200', '5xx', 'conn. errors', 'timeouts', 'wrong answers'],
      [
        int(counts.total),
        int(throughput),
        `${summary.latencyMs.p50} ms`,
        `${summary.latencyMs.p99} ms`,
        `${summary.latencyMs.max} ms`,
        counts.non200,
        counts.status5xx,
        errors.errors,
        errors.timeouts,
        counts.wrong,
      ],
    ]),
    '',
    `answers by class: ${Object.entries(counts.byClass)
      .map(([c, n]) => `${c} ${int(n)}`)
      .join(', ')}`,
    `answers by code:  ${Object.entries(counts.byCode)
      .map(([c, n]) => `${c} ${int(n)}`)
      .join(', ')}`,
    `revocations: ${revokedKeys.length} acknowledged during the load; ${int(revokedChecks.afterAck)} answers for requests sent after an acknowledgement (all must be REVOKED), ${int(revokedChecks.inFlight)} sent while one was in flight (${int(revokedChecks.inFlightRevoked)} of them already REVOKED)`,
    `rate limits: ${windows.length} (limit, window) pairs checked, ${summary.rateLimitWindows.saturated} of them saturated, ${summary.rateLimitWindows.wrong} wrong`,
    '',
    table([
      ['node', 'RSS before', 'RSS after', 'RSS 10 s later', 'CPU', 'error logs', 'RL fallbacks', 'bus resyncs', 'alive'],
      ...summary.nodes.map((n) => [
        n.name,
        `${n.rssMbBefore} MB`,
        `${n.rssMbAfter} MB`,
        `${n.rssMbSettled} MB`,
        `${n.cpuPct}%`,
        n.errorLogLines,
        n.rateLimitFallbacks,
        n.busResyncs,
        n.alive ? 'yes' : 'NO',
      ]),
    ]),
    `RSS every 5 s (MB): ${rssSamples.map((s) => `${s.t}s ${s.rss.join('/')}`).join('; ')}`,
    '',
    ...(wrong.length > 0 ? ['WRONG ANSWERS:', ...wrong, ''] : []),
    ...nodes.flatMap((n) => n.errors.slice(0, 3).map((l) => `${n.name} error log: ${l}`)),
    `Figures written to bench/results/scale-load.json (${Math.round((Date.now() - started) / 1000)} s in all).`,
    '',
  ];
  process.stdout.write(out.join('\n'));
  const ok = counts.wrong === 0 && counts.non200 === 0 && errors.errors === 0 && errors.timeouts === 0 && alive.every(Boolean);
  exitCode = ok ? 0 : 1;
} finally {
  await deployment.close();
}
process.exit(exitCode);

function round(x) {
  return Math.round(x * 100) / 100;
}

/** Keys the verifier must refuse by their shape alone: bad checksum, bad characters, wrong lengths, no prefix. */
function makeMalformed(keys) {
  const out = [];
  for (const key of keys.slice(0, 40)) {
    const last = key.at(-1);
    out.push(key.slice(0, -1) + (last === 'A' ? 'B' : 'A')); // checksum off by one character
    out.push(key.slice(0, 20) + '!' + key.slice(21)); // a character outside base62
    out.push(key.slice(0, -2)); // too short
    out.push(key + 'x'); // too long
    out.push(key.slice(key.indexOf('_') + 1)); // no prefix
  }
  out.push('', 'sk_load_', 'Bearer x', 'sk_load_' + 'a'.repeat(200), 'ß'.repeat(30), 'SK_LOAD_' + 'A'.repeat(49));
  return out;
}
