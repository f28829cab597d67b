import { BASE62_ALPHABET, keyChecksum, parseKey, type VerifyCode } from '@tessera/api';
import {
  DEFAULT_WORKSPACE_ID,
  KeyService,
  KeyVerifier,
  LocalInvalidationBus,
  MemoryKeyring,
  MemoryRateLimiter,
  randomBase62,
  RootKeyService,
  systemClock,
  UsageBatcher,
  type VerifyResult,
} from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { compareTimings, interleaved, type TimingReport } from './welch.js';

/**
 * No timing oracle between "unknown" and "wrong" keys (docs/security.md): a dudect-style test. Two
 * classes of well-formed keys (right prefix, valid checksum) that are not in the store:
 *   - wrong:   a real key with one character of its random part changed and the checksum
 *              recomputed — the near miss an attacker who knows most of a key would try;
 *   - unknown: the same near miss of a key that was never issued.
 * The classes differ only in whether the key they are close to exists. (Fresh random keys
 * against near misses of 200 keys would compare inputs, not the server: near misses of a small
 * set repeat most of their characters, and the CPU answers repeated input measurably faster —
 * a |t| near 6 that appears just as well when no key is real.)
 * Verifications of both classes are interleaved in random order, every one with a key never
 * tried before (no negative-cache hit favours either class), timed, and compared with Welch's t
 * on raw and cropped data. |t| must stay under 4.5. The same harness must tell MALFORMED
 * (rejected before storage) from NOT_FOUND (looked up), or it could not find anything.
 */

const T_LIMIT = 4.5;
const PREFIX = 'sk_live';

/**
 * Both classes are built here, and copied into a flat string: V8 keeps concatenations as trees
 * that are flattened on first use, and a deeper tree (randomBase62 appends 43 times) would take
 * measurably longer to flatten — a difference of this harness, not of the server, which gets
 * flat strings from JSON.parse.
 */
const assemble = (prefix: string, random: string) => {
  const body = `${prefix}_${random}`;
  return Buffer.from(body + keyChecksum(body), 'latin1').toString('latin1');
};

const randomIndex = (n: number) => Math.floor(Math.random() * n);

/** A key one character away from one of `bases`, never the same one twice. */
function nearMisses(bases: string[]): () => string {
  const made = new Set<string>();
  return () => {
    for (;;) {
      const { prefix, random } = parseKey(bases[randomIndex(bases.length)]!)!;
      const i = randomIndex(random.length);
      const others = BASE62_ALPHABET.replace(random[i]!, '');
      const key = assemble(prefix, random.slice(0, i) + others[randomIndex(others.length)] + random.slice(i + 1));
      if (!made.has(key)) {
        made.add(key);
        return key;
      }
    }
  };
}

/** Keys of each class, built the same way so string shapes do not differ between classes. */
function keyMakers(realKeys: string[]) {
  const fresh = () => assemble(PREFIX, randomBase62(43));
  const neverIssued = realKeys.map(fresh);
  const malformed = () => {
    const key = fresh();
    const last = key[key.length - 1]!;
    return key.slice(0, -1) + (last === 'a' ? 'b' : 'a');
  };
  return { unknown: nearMisses(neverIssued), wrong: nearMisses(realKeys), fresh, malformed };
}

function describeReport(label: string, r: TimingReport): string {
  const crops = Object.entries(r.byCrop)
    .map(([p, t]) => `${p === '1' ? 'raw' : `p${Number(p) * 100}`} ${t.toFixed(2)}`)
    .join(', ');
  return `${label}: max |t| = ${r.maxAbsT.toFixed(2)} (${crops}); medians ${(r.medians[0] / 1000).toFixed(1)} µs vs ${(r.medians[1] / 1000).toFixed(1)} µs; n = ${r.n.join('+')}`;
}

/**
 * Times `n` verifications of each class, interleaved in random order, after a warm-up. The
 * inputs are all built before timing starts; each answer's code is checked after the clock stops.
 */
async function timeClasses(
  verify: (key: string) => VerifyResult | Promise<VerifyResult> | Promise<{ code: string }>,
  make: [() => string, () => string],
  expected: [VerifyCode, VerifyCode],
  n: number,
): Promise<TimingReport> {
  const run = async (count: number, record: boolean) => {
    const order = interleaved(count);
    const keys = order.map((c) => make[c]());
    const times: [number[], number[]] = [[], []];
    const codes: string[] = [];
    for (let i = 0; i < order.length; i++) {
      const started = process.hrtime.bigint();
      const pending = verify(keys[i]!);
      const result = pending instanceof Promise ? await pending : pending;
      const elapsed = Number(process.hrtime.bigint() - started);
      codes.push(result.code);
      times[order[i]!].push(elapsed);
    }
    codes.forEach((code, i) => expect(code, `class ${order[i]}`).toBe(expected[order[i]!]));
    return record ? compareTimings(times[0], times[1]) : undefined;
  };
  await run(Math.min(1000, n / 2), false); // warm-up: JIT, SQLite page cache
  return (await run(n, true))!;
}

describe('no timing oracle between unknown and wrong keys', () => {
  describe('in-process KeyVerifier over a real SQLite store', () => {
    let db: TestDatabase;
    let verifier: KeyVerifier;
    let makers: ReturnType<typeof keyMakers>;
    const N = 8000;

    beforeAll(async () => {
      db = await createTestDatabase('sqlite');
      const keyring = MemoryKeyring.generate();
      const deps = { store: db.store, keyring, clock: systemClock, bus: new LocalInvalidationBus() };
      await new RootKeyService(deps).bootstrap();
      const keys = new KeyService(deps);
      const actor = { id: 'system', workspaceId: DEFAULT_WORKSPACE_ID, ip: null };
      const ks = await keys.createKeyspace(actor, { name: 'timing', prefix: PREFIX });
      const real: string[] = [];
      for (let i = 0; i < 200; i++) real.push((await keys.createKey(actor, { keyspaceId: ks.id })).key);
      makers = keyMakers(real);
      verifier = new KeyVerifier({
        store: db.store,
        keyring,
        clock: systemClock,
        rateLimiter: new MemoryRateLimiter(),
        usage: new UsageBatcher(db.store, 60_000),
      });
      // The real keys do verify: the wrong ones below are near misses of live keys.
      expect((await verifier.verify({ key: real[0]!, workspaceId: DEFAULT_WORKSPACE_ID })).code).toBe('VALID');
    });
    afterAll(async () => {
      await db?.drop();
    });

    const verify = (key: string) => verifier.verify({ key, workspaceId: DEFAULT_WORKSPACE_ID });

    it('unknown vs wrong-but-well-formed keys: |t| < 4.5', async () => {
      const report = await timeClasses(verify, [makers.unknown, makers.wrong], ['NOT_FOUND', 'NOT_FOUND'], N);
      console.log(describeReport('in-process, unknown vs wrong', report));
      expect(report.maxAbsT).toBeLessThan(T_LIMIT);
    });

    it('the harness is not blind: MALFORMED (no lookup) vs NOT_FOUND (lookup) is far above 4.5', async () => {
      const report = await timeClasses(verify, [makers.malformed, makers.fresh], ['MALFORMED', 'NOT_FOUND'], N / 4);
      console.log(describeReport('in-process, malformed vs fresh unknown (sanity)', report));
      expect(report.maxAbsT).toBeGreaterThan(10 * T_LIMIT);
    });
  });

  describe('over HTTP on loopback', () => {
    let s: TestServer;
    let makers: ReturnType<typeof keyMakers>;
    const N = 1500;

    beforeAll(async () => {
      s = await startTestServer('sqlite', { env: { TESSERA_LOG_LEVEL: 'warn' } });
      const ks = await s.api('POST', '/v1/keyspaces', { name: 'timing', prefix: PREFIX });
      const real: string[] = [];
      for (let i = 0; i < 100; i++) real.push((await s.api('POST', '/v1/keys', { keyspaceId: ks.body.id })).body.key);
      makers = keyMakers(real);
    });
    afterAll(async () => {
      await s?.close();
    });

    const verify = async (key: string): Promise<{ code: string }> => {
      const res = await fetch(`${s.url}/v1/keys/verify`, {
        method: 'POST',
        headers: { authorization: `Bearer ${s.rootKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ key }),
      });
      return (await res.json()) as { code: string };
    };

    it('unknown vs wrong-but-well-formed keys: |t| < 4.5', async () => {
      const report = await timeClasses(verify, [makers.unknown, makers.wrong], ['NOT_FOUND', 'NOT_FOUND'], N);
      console.log(describeReport('HTTP, unknown vs wrong', report));
      expect(report.maxAbsT).toBeLessThan(T_LIMIT);
    });

    it('the harness is not blind over HTTP either: MALFORMED vs NOT_FOUND is above 4.5', async () => {
      const report = await timeClasses(verify, [makers.malformed, makers.fresh], ['MALFORMED', 'NOT_FOUND'], N / 2);
      console.log(describeReport('HTTP, malformed vs fresh unknown (sanity)', report));
      expect(report.maxAbsT).toBeGreaterThan(T_LIMIT);
    });
  });
});
