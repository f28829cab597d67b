// In-process verification benchmarks, run in a child process of `run.js` so that the HTTP load
// generator's heap and compiled code do not colour them.
//
//   node bench/verifier.js hits   cache hit (also pinned to a keyspace), malformed (bad checksum), malformed (bad shape)
//   node bench/verifier.js flat   cache hits with 10 keys vs 1,000,000 keys, random access
//   node bench/verifier.js detect cache hits with the server's usage recorder, its batches read
//                                 by the anomaly detectors (on) or by nothing (off)
//
// Progress goes to stderr; the last line on stdout is the result as JSON.
import { hash as oneShotHash, randomBytes } from 'node:crypto';
import { BASE62_ALPHABET, keyChecksum, parseKey, RANDOM_LENGTH } from '@tessera/api';
import {
  AnomalyEngine,
  KeyVerifier,
  MemoryKeyring,
  MemoryRateLimiter,
  newId,
  systemClock,
  UsageBatcher,
  UsageRecorder,
} from '@tessera/core';
import { median } from './stats.js';

const WORKSPACE = 'ws_default';
const PREFIX = 'sk';
const log = (line) => process.stderr.write(`  ${line}\n`);

/**
 * A key store held in memory. It answers `findKeyByHash` with a fresh record built the way the
 * SQLite/PostgreSQL store builds one from a row, so the verifier caches objects of the same
 * shape as in production. Only the cache's hit path is measured; the store is used to warm it.
 */
class MemoryKeyStore {
  byHash = new Map();
  ids = [];
  createdAt = Date.now();

  add(hash) {
    this.byHash.set(hash, this.ids.length);
    this.ids.push(newId('key', this.createdAt));
  }

  async findKeyByHash(hash) {
    const i = this.byHash.get(hash);
    if (i === undefined) return undefined;
    return {
      id: this.ids[i],
      workspaceId: WORKSPACE,
      keyspaceId: 'ks_bench',
      hash,
      pepperVersion: 1,
      start: 'sk_…',
      ownerId: null,
      name: null,
      scopes: JSON.parse('[]'),
      meta: null,
      environment: null,
      createdAt: this.createdAt,
      updatedAt: this.createdAt,
      expiresAt: null,
      enabled: true,
      revokedAt: null,
      revokeReason: null,
      deletedAt: null,
      ipAllowlist: JSON.parse('[]'),
      ratelimits: JSON.parse('[]'),
      credits: null,
      lastUsedAt: null,
      usageCount: 0,
      version: 1,
      rolledToId: null,
    };
  }
}

/**
 * `count` keys in Tessera's format, drawn from one large CSPRNG buffer: `generateKey` makes a
 * small CSPRNG call per key, which for a million keys costs more time than the whole measurement.
 */
function newKeys(count) {
  const keys = new Array(count);
  const CHUNK = 10_000;
  for (let i = 0; i < count; i += CHUNK) {
    const n = Math.min(CHUNK, count - i);
    const bytes = randomBytes(n * RANDOM_LENGTH * 2);
    let at = 0;
    for (let j = 0; j < n; j++) {
      let random = '';
      while (random.length < RANDOM_LENGTH) {
        if (at === bytes.length) return newKeys(count); // out of bytes after many rejections: start again
        const b = bytes[at++];
        if (b < 248) random += BASE62_ALPHABET[b % 62];
      }
      const body = `${PREFIX}_${random}`;
      keys[i + j] = body + keyChecksum(body);
    }
  }
  return keys;
}

/** A verifier over `count` fresh keys, its cache warmed through the ordinary miss path. */
async function setUp(count, keyring, events = undefined) {
  const store = new MemoryKeyStore();
  // Usage is batched as in the server; flushed (to nowhere) between rounds, as the server's timer would.
  const usage = new UsageBatcher({ applyUsage: async () => {} }, 1000);
  const verifier = new KeyVerifier(
    { store, keyring, clock: systemClock, rateLimiter: new MemoryRateLimiter(), usage, events },
    { maxEntries: Math.max(100_000, count + 1000), maxNegativeEntries: 10_000, negativeTtlMs: 30_000 },
  );
  const keys = newKeys(count);
  const started = Date.now();
  for (let i = 0; i < count; i++) {
    store.add(keyring.hash('api_key', keys[i]));
    if (count >= 100_000 && (i + 1) % 250_000 === 0)
      log(`hashed ${(i + 1).toLocaleString('en-US')} keys (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
  // The heap before the cache holds anything (the keys and the store's index are already made).
  const heapBefore = heapAfterGc();
  const BATCH = 10_000;
  for (let i = 0; i < count; i += BATCH) {
    const pending = [];
    for (let j = i; j < Math.min(count, i + BATCH); j++) pending.push(verifier.verify({ key: keys[j], workspaceId: WORKSPACE }));
    for (const r of await Promise.all(pending)) if (!r.valid) throw new Error(`warm-up verify answered ${r.code}`);
    if (count >= 100_000 && (i + BATCH) % 250_000 === 0)
      log(`cached ${(i + BATCH).toLocaleString('en-US')} keys (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
  if (parseKey(keys[0]) === undefined) throw new Error('the benchmark made a malformed key');
  if (verifier.cache.size !== count) throw new Error(`cache holds ${verifier.cache.size} keys, expected ${count}`);
  await usage.flush();
  // What the cache holds per key: its entries, the records and what is compiled from them.
  const heapBytesPerKey = heapBefore === undefined ? undefined : Math.round((heapAfterGc() - heapBefore) / count);
  return { verifier, usage, keys, heapBytesPerKey };
}

/** Heap in use after a full collection; undefined unless node runs with --expose-gc. */
function heapAfterGc() {
  if (typeof globalThis.gc !== 'function') return undefined;
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed;
}

/** `size` random indices below `below`, to walk a key set in an order the CPU cannot predict. */
function randomIndices(size, below) {
  const out = new Uint32Array(size);
  for (let i = 0; i < size; i++) out[i] = Math.floor(Math.random() * below);
  return out;
}

const INDEX_MASK = (1 << 20) - 1;

/** Runs `n` verifications of keys picked by `indices`; returns how many had the expected code. */
function run(verifier, keys, indices, n, offset, code, keyspaceId) {
  let ok = 0;
  for (let i = 0; i < n; i++) {
    const key = keys[indices[(offset + i) & INDEX_MASK]];
    const r = verifier.verify(keyspaceId === undefined ? { key, workspaceId: WORKSPACE } : { key, workspaceId: WORKSPACE, keyspaceId });
    if (r.code === code) ok++;
  }
  return ok;
}

/** Verifications per second over about `roundMs`, in chunks so the clock is read rarely. */
function measure(c, roundMs) {
  const CHUNK = 20_000;
  let ops = 0;
  const start = process.hrtime.bigint();
  let elapsedMs;
  do {
    const ok = (c.run ?? run)(c.verifier, c.keys, c.indices, CHUNK, c.offset, c.code, c.keyspaceId);
    if (ok !== CHUNK) throw new Error(`${c.name}: ${CHUNK - ok} of ${CHUNK} verifications did not answer ${c.code}`);
    c.offset = (c.offset + CHUNK) & INDEX_MASK;
    ops += CHUNK;
    elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
  } while (elapsedMs < roundMs);
  return (ops / elapsedMs) * 1000;
}

/**
 * Like `measure`, but each verification gets its key as the server does: a fresh string just
 * read from the request, not one of the million strings the benchmark holds (fetching those at
 * random costs cache misses of its own, which no cache design can avoid). Each chunk's keys are
 * copied into fresh strings first; only the verifications are timed.
 */
function measureFresh(c, roundMs) {
  const CHUNK = 2_000;
  const fresh = new Array(CHUNK);
  let ops = 0;
  let timedNs = 0;
  const until = Date.now() + roundMs;
  do {
    for (let i = 0; i < CHUNK; i++) fresh[i] = Buffer.from(c.keys[c.indices[(c.offset + i) & INDEX_MASK]], 'latin1').toString('latin1');
    const start = process.hrtime.bigint();
    const ok = (c.run ?? run)(c.verifier, fresh, SEQUENTIAL, CHUNK, 0, c.code, c.keyspaceId);
    timedNs += Number(process.hrtime.bigint() - start);
    if (ok !== CHUNK) throw new Error(`${c.name}: ${CHUNK - ok} of ${CHUNK} verifications did not answer ${c.code}`);
    c.offset = (c.offset + CHUNK) & INDEX_MASK;
    ops += CHUNK;
  } while (Date.now() < until);
  return (ops / timedNs) * 1e9;
}

const SEQUENTIAL = Uint32Array.from({ length: INDEX_MASK + 1 }, (_, i) => i);

/** A warm-up round, then `rounds` rounds taking the cases in turn; the median of each. */
async function compare(cases, { rounds, roundMs }) {
  for (const c of cases) (c.measure ?? measure)(c, roundMs);
  for (const c of cases) await c.usage.flush();
  const samples = cases.map(() => []);
  for (let r = 0; r < rounds; r++) {
    // Alternate the order each round so a drift in machine load does not favour one case.
    const order = r % 2 === 0 ? cases.map((_, i) => i) : cases.map((_, i) => cases.length - 1 - i);
    for (const i of order) {
      samples[i].push((cases[i].measure ?? measure)(cases[i], roundMs));
      await cases[i].usage.flush();
    }
    log(
      `round ${r + 1}/${rounds}: ${cases.map((c, i) => `${c.name} ${Math.round(samples[i].at(-1)).toLocaleString('en-US')}/s`).join(', ')}`,
    );
  }
  return Object.fromEntries(
    cases.map((c, i) => [c.name, { opsPerSec: Math.round(median(samples[i])), rounds: samples[i].map(Math.round) }]),
  );
}

function corrupt(key, at, char) {
  const i = at < 0 ? key.length + at : at;
  const replacement = key[i] === char ? (char === 'A' ? 'B' : 'A') : char;
  return key.slice(0, i) + replacement + key.slice(i + 1);
}

async function hits() {
  const keyring = MemoryKeyring.generate();
  const { verifier, usage, keys } = await setUp(1, keyring);
  const one = new Uint32Array(INDEX_MASK + 1); // always index 0
  const cases = [
    { name: 'hit', verifier, usage, keys, indices: one, offset: 0, code: 'VALID' },
    // The same key with verification pinned to its keyspace: what the pin costs on the hot path.
    { name: 'hitPinned', verifier, usage, keys, indices: one, offset: 0, code: 'VALID', keyspaceId: 'ks_bench' },
    // Right shape, wrong checksum: the costliest malformed key (regular expression and CRC-32).
    { name: 'malformedChecksum', verifier, usage, keys: [corrupt(keys[0], -1, 'A')], indices: one, offset: 0, code: 'MALFORMED' },
    // A character outside base62: refused by the regular expression alone.
    { name: 'malformedShape', verifier, usage, keys: [corrupt(keys[0], 10, '-')], indices: one, offset: 0, code: 'MALFORMED' },
  ];
  return compare(cases, { rounds: 7, roundMs: 500 });
}

/**
 * The runtime's own floor for the flat cost: what any in-memory index of keys pays before the
 * verifier does anything. A plain `Map` from a salted SHA-256 of the key (as the cache digests it)
 * to a small object holding a record, and one field of that record read: the same lookups a cache
 * hit cannot avoid, with nothing of Tessera's. Its 1,000,000 / 10 ratio says how flat a cache of
 * JavaScript objects can be on this machine (random access to a large heap costs cache and TLB
 * misses that 10 keys never pay).
 */
function floorIndex(keys) {
  const salt = randomBytes(32).toString('base64');
  const index = new Map();
  for (let i = 0; i < keys.length; i++)
    index.set(oneShotHash('sha256', salt + keys[i], 'binary'), { hot: false, record: { id: i, enabled: true } });
  const lookup = (_verifier, keyList, indices, n, offset) => {
    let ok = 0;
    for (let i = 0; i < n; i++) {
      const entry = index.get(oneShotHash('sha256', salt + keyList[indices[(offset + i) & INDEX_MASK]], 'binary'));
      if (entry !== undefined && entry.record.enabled) {
        entry.hot = true;
        ok++;
      }
    }
    return ok;
  };
  return { run: lookup, usage: { flush: async () => {} } };
}

async function flat() {
  const keyring = MemoryKeyring.generate();
  const LARGE = Number(process.env.BENCH_LARGE_KEYS ?? 1_000_000);
  log('setting up 10 keys');
  const small = await setUp(10, keyring);
  log(`setting up ${LARGE.toLocaleString('en-US')} keys`);
  const large = await setUp(LARGE, keyring);
  const heapMb = Math.round(process.memoryUsage().heapUsed / 2 ** 20);
  log(`heap in use with both caches: ${heapMb} MB`);
  log(`heap per cached key (${LARGE.toLocaleString('en-US')} keys): ${large.heapBytesPerKey ?? '? (run with --expose-gc)'} bytes`);
  const cases = [
    { name: 'keys10', ...small, indices: randomIndices(INDEX_MASK + 1, 10), offset: 0, code: 'VALID', measure: measureFresh },
    { name: 'keys1M', ...large, indices: randomIndices(INDEX_MASK + 1, LARGE), offset: 0, code: 'VALID', measure: measureFresh },
    {
      name: 'floor10',
      keys: small.keys,
      ...floorIndex(small.keys),
      indices: randomIndices(INDEX_MASK + 1, 10),
      offset: 0,
      measure: measureFresh,
    },
    {
      name: 'floor1M',
      keys: large.keys,
      ...floorIndex(large.keys),
      indices: randomIndices(INDEX_MASK + 1, LARGE),
      offset: 0,
      measure: measureFresh,
    },
  ];
  const out = await compare(cases, { rounds: 5, roundMs: 1000 });
  return { ...out, largeKeyCount: LARGE, heapUsedMb: heapMb, heapBytesPerCachedKey: large.heapBytesPerKey ?? null };
}

/**
 * What detection costs the verify path: 1,000 keys used from 200 addresses, every answer recorded
 * by the server's usage recorder, which takes its batch after each 20,000 verifications (timed
 * with them: the server runs it on the same thread) and hands it to the anomaly engine (on) or to
 * no one (off). The store under the recorder writes nowhere, so only CPU is compared: verifications
 * per second of this process's CPU time (user and system).
 */
async function detect() {
  const keyring = MemoryKeyring.generate();
  const nowhere = { insertUsageEvents: async () => {}, addRollups: async () => {}, touchScopeUsage: async () => {} };
  const store = { findKeyByHash: async () => undefined, transaction: (fn) => fn(nowhere) };
  const ips = Array.from({ length: 200 }, (_, i) => `198.51.${100 + (i % 4)}.${1 + i}`);
  const make = async (name, on) => {
    const recorder = new UsageRecorder({ store, keyring, clock: systemClock });
    const engine = new AnomalyEngine();
    if (on) recorder.onBatch((events) => void engine.process(events, Date.now()));
    const c = await setUp(1000, keyring, recorder);
    await recorder.flush();
    return { name, ...c, recorder, indices: randomIndices(INDEX_MASK + 1, 1000), offset: 0 };
  };
  const cases = [await make('detectionOff', false), await make('detectionOn', true)];
  const measureRecorded = async (c, roundMs) => {
    const CHUNK = 20_000;
    let ops = 0;
    const start = process.hrtime.bigint();
    // CPU time of this process, not wall time: on a shared machine other work steals the wall clock.
    const cpu = process.cpuUsage();
    let elapsedMs;
    do {
      for (let i = 0; i < CHUNK; i++) {
        const j = c.indices[(c.offset + i) & INDEX_MASK];
        const r = c.verifier.verify({ key: c.keys[j], workspaceId: WORKSPACE, ip: ips[j % 200] });
        if (r.code !== 'VALID') throw new Error(`${c.name}: a verification answered ${r.code}`);
      }
      await c.recorder.flush();
      c.offset = (c.offset + CHUNK) & INDEX_MASK;
      ops += CHUNK;
      elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
    } while (elapsedMs < roundMs);
    const used = process.cpuUsage(cpu);
    return (ops / (used.user + used.system)) * 1e6;
  };
  for (const c of cases) await measureRecorded(c, 1000);
  const samples = cases.map(() => []);
  for (let r = 0; r < 9; r++) {
    const order = r % 2 === 0 ? [0, 1] : [1, 0];
    for (const i of order) {
      samples[i].push(await measureRecorded(cases[i], 1000));
      await cases[i].usage.flush();
    }
    log(`round ${r + 1}/9: ${cases.map((c, i) => `${c.name} ${Math.round(samples[i].at(-1)).toLocaleString('en-US')}/s`).join(', ')}`);
  }
  const out = Object.fromEntries(
    cases.map((c, i) => [c.name, { opsPerSec: Math.round(median(samples[i])), rounds: samples[i].map(Math.round) }]),
  );
  // Per round pair, on/off: the machine's drift falls on both sides of each ratio.
  const ratios = samples[1].map((on, i) => on / samples[0][i]);
  return { ...out, ratio: Math.round(median(ratios) * 1000) / 1000, roundRatios: ratios.map((x) => Math.round(x * 1000) / 1000) };
}

const mode = process.argv[2];
const result = mode === 'hits' ? await hits() : mode === 'flat' ? await flat() : mode === 'detect' ? await detect() : undefined;
if (result === undefined) {
  process.stderr.write('usage: node bench/verifier.js hits|flat|detect\n');
  process.exit(2);
}
process.stdout.write(JSON.stringify(result) + '\n');
