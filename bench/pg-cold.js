// Cold cache on PostgreSQL: Tessera's verify endpoint when (nearly) every key must be read from
// the database, against a bare route doing one HMAC and one indexed `pg` query
// (bench/pg-raw-server.js). Tessera runs on a fresh schema with its smallest key cache (100
// entries) and 2,000 keys; each request names one of them at random, so about 5% of requests hit
// the cache. The raw route has the same keys in a table of its own, hashed with its own pepper.
// Needs PostgreSQL: TESSERA_BENCH_DATABASE_URL, else TESSERA_TEST_DATABASE_URL, else
// postgres://postgres@127.0.0.1:5432/test. Skipped (with the reason) when it does not answer.
// BENCH_PG_CACHE=<entries> sets another key cache size (e.g. 100000: the same run with a warm cache).
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { load } from './http.js';
import { median } from './stats.js';
import { call, pinForComparison, run, start, stop, unpin } from './processes.js';
import { ROUNDS } from './rounds.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TESSERA = join(ROOT, 'apps/server/bin/tessera.js');
const RAW = join(ROOT, 'bench/pg-raw-server.js');
const KEY_COUNT = 2000;
const CACHE_SIZE = Number(process.env.BENCH_PG_CACHE ?? 100);

export async function pgColdBenchmark(options, log) {
  // As in the HTTP benchmark: both servers on one core, the load generator on another.
  const cpu = options.pin === false ? undefined : pinForComparison();
  log(cpu === undefined ? 'servers not pinned to a core' : `both servers pinned to core ${cpu}, the load generator to core 0`);
  try {
    return { pinnedCore: cpu ?? null, ...(await pgCold(options, log, cpu)) };
  } finally {
    if (cpu !== undefined) unpin();
  }
}

async function pgCold(options, log, cpu) {
  const { rounds, seconds, warmupSeconds, connections } = { ...ROUNDS, ...options };
  const url = process.env.TESSERA_BENCH_DATABASE_URL ?? process.env.TESSERA_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const admin = new pg.Client({ connectionString: url });
  try {
    await admin.connect();
  } catch (err) {
    return { skipped: `PostgreSQL at ${url.replace(/\/\/[^@]*@/, '//…@')} does not answer (${err.message})` };
  }
  const schema = `tessera_bench_${randomBytes(6).toString('hex')}`;
  await admin.query(`create schema ${schema}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-bench-pg-'));
  const children = [];
  try {
    const env = { TESSERA_DATABASE_URL: url, TESSERA_DATABASE_SCHEMA: schema, TESSERA_KEY_CACHE_SIZE: String(CACHE_SIZE) };
    log(`initialising Tessera on PostgreSQL (schema ${schema}), key cache ${CACHE_SIZE} entries`);
    const { rootKey } = JSON.parse(await run([TESSERA, 'init', '--data-dir', dataDir, '--json'], env));
    const tessera = await start(
      [TESSERA, 'serve', '--data-dir', dataDir, '--port', '0'],
      (line) => /listening on (https?:\/\/[^\s"]+)/.exec(line)?.[1],
      'tessera serve (PostgreSQL)',
      undefined,
      env,
      cpu,
    );
    children.push(tessera.child);
    const base = tessera.value;
    const ks = await call(base, rootKey, 'POST', '/v1/keyspaces', { name: 'bench', prefix: 'sk' });
    log(`creating ${KEY_COUNT.toLocaleString('en-US')} keys through the API`);
    const keys = [];
    for (let i = 0; i < KEY_COUNT; i += 20) {
      const made = await Promise.all(
        Array.from({ length: Math.min(20, KEY_COUNT - i) }, (_, j) =>
          call(base, rootKey, 'POST', '/v1/keys', { keyspaceId: ks.id, ownerId: `user_${i + j}`, name: 'bench key' }),
        ),
      );
      keys.push(...made);
    }
    // The raw route's own copy: the same ids and owners, under a pepper of its own.
    const pepper = randomBytes(32);
    await admin.query(
      `create table ${schema}.raw_keys (hash text primary key, id text not null, keyspace_id text not null, owner_id text, name text)`,
    );
    for (let i = 0; i < keys.length; i += 500) {
      const part = keys.slice(i, i + 500);
      const values = part.flatMap((k) => [
        createHmac('sha256', pepper).update(k.key).digest('base64url'),
        k.keyId,
        ks.id,
        k.ownerId,
        k.name,
      ]);
      const rows = part.map((_, j) => `($${j * 5 + 1}, $${j * 5 + 2}, $${j * 5 + 3}, $${j * 5 + 4}, $${j * 5 + 5})`).join(', ');
      await admin.query(`insert into ${schema}.raw_keys (hash, id, keyspace_id, owner_id, name) values ${rows}`, values);
    }
    await admin.query(`analyze ${schema}.raw_keys`);
    const raw = await start(
      [RAW, url, schema, pepper.toString('hex')],
      (line) => (line.startsWith('{"port"') ? JSON.parse(line).port : undefined),
      'raw pg route',
      undefined,
      {},
      cpu,
    );
    children.push(raw.child);

    const headers = { authorization: `Bearer ${rootKey}`, 'content-type': 'application/json' };
    const bodies = keys.map((k) => JSON.stringify({ key: k.key }));
    const sizes = {};
    for (const [name, u] of [
      ['tessera', `${base}/v1/keys/verify`],
      ['raw', `http://127.0.0.1:${raw.value}/v1/keys/verify`],
    ]) {
      const answer = await (await fetch(u, { method: 'POST', headers, body: bodies[0] })).text();
      const parsed = JSON.parse(answer);
      if (parsed.code !== 'VALID' || parsed.keyId !== keys[0].keyId) throw new Error(`${name} answered ${answer}`);
      sizes[name] = Buffer.byteLength(answer);
    }
    log(`a VALID answer: Tessera ${sizes.tessera} bytes, raw route ${sizes.raw} bytes`);
    // Each request names a key at random; every answer must be VALID.
    const requests = [{ method: 'POST', setupRequest: (req) => ({ ...req, body: bodies[Math.floor(Math.random() * bodies.length)] }) }];
    const verifyBody = (body) => body.includes('"code":"VALID"');
    const targets = [
      { name: 'tessera', url: `${base}/v1/keys/verify`, headers, requests, verifyBody, child: tessera.child },
      { name: 'raw', url: `http://127.0.0.1:${raw.value}/v1/keys/verify`, headers, requests, verifyBody, child: raw.child },
    ];
    const opts = { connections, pipelining: 1, seconds };
    for (const t of targets) await load(t, { ...opts, seconds: warmupSeconds });
    const runs = { tessera: [], raw: [] };
    for (let r = 0; r < rounds; r++) {
      for (const t of r % 2 === 0 ? targets : [...targets].reverse()) {
        const m = await load(t, opts);
        runs[t.name].push(m);
        log(
          `PostgreSQL cold round ${r + 1}/${rounds} ${t.name.padEnd(7)} ${Math.round(m.reqPerSec).toLocaleString('en-US')} req/s, p50 ${m.p50.toFixed(2)} ms, p99 ${m.p99.toFixed(2)} ms${m.serverCpuPct === undefined ? '' : `, server CPU ${m.serverCpuPct.toFixed(0)}%`}`,
        );
      }
    }
    const ratios = runs.tessera.map((t, i) => t.reqPerSec / runs.raw[i].reqPerSec);
    const sum = (list) => ({
      reqPerSec: Math.round(median(list.map((m) => m.reqPerSec))),
      p50Ms: Math.round(median(list.map((m) => m.p50)) * 100) / 100,
      p99Ms: Math.round(median(list.map((m) => m.p99)) * 100) / 100,
      serverCpuPct: list[0].serverCpuPct === undefined ? null : Math.round(median(list.map((m) => m.serverCpuPct))),
      serverCpuUsPerReq:
        list[0].serverCpuUsPerReq === undefined ? null : Math.round(median(list.map((m) => m.serverCpuUsPerReq)) * 10) / 10,
    });
    return {
      keys: KEY_COUNT,
      cacheEntries: CACHE_SIZE,
      answerBytes: sizes,
      tessera: sum(runs.tessera),
      raw: sum(runs.raw),
      ratio: Math.round(median(ratios) * 1000) / 1000,
      roundRatios: ratios.map((x) => Math.round(x * 1000) / 1000),
    };
  } finally {
    await Promise.all(children.map(stop));
    await admin.query(`drop schema if exists ${schema} cascade`).catch(() => {});
    await admin.end().catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  }
}
