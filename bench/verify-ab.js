// A/B of two builds of Tessera on the verify path: server CPU per verification, the robust figure
// on a shared machine (req/s moves with the neighbours; CPU time per request much less).
//
//   node bench/verify-ab.js --a <other checkout> [--b <checkout, default this one>] [--rounds 6] [--seconds 4]
//                           [--scenarios valid,unknown,malformed]
//
// Each side is `tessera serve` from its own checkout (built), on SQLite in a temporary data dir,
// with a keyspace and one key; both pinned to the last core and this process to the first, where
// `taskset` is there (unpinned, the same build measured 6–23% apart by which side started
// first). Rounds alternate A and B (ABBA…), 10 connections each; every answer
// is checked against the code expected. Per round: req/s and server CPU (user + system, from /proc)
// per request, including the usage batch written once a second while it runs. Medians at the end.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { keyChecksum, RANDOM_LENGTH } from '@tessera/api';
import { randomBase62 } from '@tessera/core';
import { median } from './stats.js';
import { call, cpuMs, pinForComparison, run, start, stop } from './processes.js';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? fallback : args[i + 1];
};
const A = opt('a');
const B = opt('b', fileURLToPath(new URL('..', import.meta.url)));
if (A === undefined) {
  process.stderr.write('usage: node bench/verify-ab.js --a <checkout> [--b <checkout>] [--rounds N] [--seconds S]\n');
  process.exit(2);
}
const rounds = Number(opt('rounds', 6));
const seconds = Number(opt('seconds', 4));
const scenarios = opt('scenarios', 'valid,unknown,malformed').split(',');
const log = (line) => process.stderr.write(`${line}\n`);

async function side(name, checkout) {
  const bin = join(resolve(checkout), 'apps/server/bin/tessera.js');
  const dataDir = mkdtempSync(join(tmpdir(), `tessera-ab-${name}-`));
  const { rootKey } = JSON.parse(await run([bin, 'init', '--data-dir', dataDir, '--json']));
  const s = await start(
    [bin, 'serve', '--data-dir', dataDir, '--port', '0'],
    (l) => /listening on (https?:\/\/[^\s"]+)/.exec(l)?.[1],
    name,
    undefined,
    {},
    serverCpu,
  );
  const ks = await call(s.value, rootKey, 'POST', '/v1/keyspaces', { name: 'ab', prefix: 'sk' });
  const { key } = await call(s.value, rootKey, 'POST', '/v1/keys', { keyspaceId: ks.id, ownerId: 'user_ab', name: 'ab key' });
  return { name, child: s.child, url: `${s.value}/v1/keys/verify`, rootKey, key, dataDir };
}

function load(t, body, code, secs) {
  return new Promise((res, rej) => {
    const before = cpuMs(t.child.pid);
    autocannon(
      {
        url: t.url,
        method: 'POST',
        headers: { authorization: `Bearer ${t.rootKey}`, 'content-type': 'application/json' },
        body,
        connections: 10,
        duration: secs,
        verifyBody: (b) => b.includes(`"code":"${code}"`),
      },
      (err, r) => {
        if (err) return rej(err);
        const bad = r.errors + r.timeouts + r.non2xx + (r.mismatches ?? 0);
        if (bad > 0) return rej(new Error(`${t.name}: ${bad} bad answers`));
        const cpu = cpuMs(t.child.pid) - before;
        res({ reqPerSec: r.requests.total / r.duration, cpuUsPerReq: (cpu * 1000) / r.requests.total });
      },
    );
  });
}

const serverCpu = pinForComparison();
log(
  serverCpu === undefined
    ? 'not pinned to cores (needs taskset and two cores)'
    : `servers pinned to core ${serverCpu}, autocannon to core 0`,
);
const sides = [await side('A', A), await side('B', B)];
try {
  const unknown = `sk_${randomBase62(RANDOM_LENGTH)}`;
  for (const scenario of scenarios) {
    const bodyOf = (t) =>
      JSON.stringify({
        key:
          scenario === 'valid'
            ? t.key
            : scenario === 'unknown'
              ? unknown + keyChecksum(unknown)
              : t.key.slice(0, -1) + (t.key.at(-1) === 'A' ? 'B' : 'A'),
      });
    const code = { valid: 'VALID', unknown: 'NOT_FOUND', malformed: 'MALFORMED' }[scenario];
    for (const t of sides) await load(t, bodyOf(t), code, 2);
    const runs = { A: [], B: [] };
    for (let r = 0; r < rounds; r++) {
      for (const t of r % 2 === 0 ? sides : [...sides].reverse()) {
        const m = await load(t, bodyOf(t), code, seconds);
        runs[t.name].push(m);
        log(`${scenario} ${r + 1}/${rounds} ${t.name}: ${Math.round(m.reqPerSec)} req/s, ${m.cpuUsPerReq.toFixed(1)} µs CPU/req`);
      }
    }
    const med = (side, f) => median(runs[side].map(f));
    log(
      `${scenario}: A ${Math.round(med('A', (m) => m.reqPerSec))} req/s ${med('A', (m) => m.cpuUsPerReq).toFixed(1)} µs/req; ` +
        `B ${Math.round(med('B', (m) => m.reqPerSec))} req/s ${med('B', (m) => m.cpuUsPerReq).toFixed(1)} µs/req; ` +
        `req/s B/A per round median ${median(runs.B.map((m, i) => m.reqPerSec / runs.A[i].reqPerSec)).toFixed(2)}`,
    );
  }
} finally {
  for (const t of sides) {
    await stop(t.child);
    rmSync(t.dataDir, { recursive: true, force: true });
  }
}
