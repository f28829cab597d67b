import { AnomalyEngine, CidrTableGeoLookup, type AnomalyDraft } from '@tessera/core';
import { describe, expect, it } from 'vitest';
import { DAY, event, HOUR, MIN, normal, officeHours, T0, runInBatches } from './traffic.js';

/** Runs events through an engine in one-second batches, as the usage recorder does. */
const run = runInBatches;

const kinds = (a: AnomalyDraft[]) => a.map((x) => x.kind);

/**
 * A geographic fixture for tests only: documentation networks given made-up places. It is not
 * the product's data (Tessera ships no GeoIP database; see docs/monitoring.md).
 */
const TEST_GEO = new CidrTableGeoLookup([
  { cidr: '198.51.100.0/24', location: { country: 'DE', latitude: 50.11, longitude: 8.68 } }, // "Frankfurt"
  { cidr: '192.0.2.0/24', location: { country: 'FR', latitude: 48.86, longitude: 2.35 } }, // "Paris"
  { cidr: '203.0.113.0/24', location: { country: 'AU', latitude: -33.87, longitude: 151.21 } }, // "Sydney"
]);

describe('detectors: each fires on its attack and stays quiet on normal traffic of the same volume', () => {
  const history = normal({ from: T0, to: T0 + 8 * DAY, perMinute: 2, networks: ['198.51.100'] });
  const after = T0 + 8 * DAY + 10 * HOUR;

  it('new network: a key used from a /24 it never used', () => {
    const engine = new AnomalyEngine();
    expect(run(engine, history)).toEqual([]);
    const control = Array.from({ length: 20 }, (_, i) => event(after + i * 1000, { ip: `198.51.100.${100 + i}` }));
    expect(run(engine, control)).toEqual([]);
    const attack = Array.from({ length: 20 }, (_, i) => event(after + MIN + i * 1000, { ip: '203.0.113.9' }));
    const found = run(engine, attack);
    expect(kinds(found)).toEqual(['new_network']);
    expect(found[0]!.subject).toBe('203.0.113.0/24');
    expect(found[0]!.explanation).toMatch(/network 203\.0\.113\.0\/24 for the first time .* 1 network \(198\.51\.100\.0\/24\)/);
    expect(found[0]!.firstEventAt).toBe(after + MIN);
  });

  it('new network: a key that roams on many networks of a country is judged by country (with GeoIP)', () => {
    // A phone app: 20 carrier networks of one country ("DE", 198.51.0.0/16 in this fixture).
    const geo = new CidrTableGeoLookup([
      { cidr: '198.51.0.0/16', location: { country: 'DE', latitude: 50.11, longitude: 8.68 } },
      { cidr: '203.0.113.0/24', location: { country: 'AU', latitude: -33.87, longitude: 151.21 } },
    ]);
    const carriers = Array.from({ length: 20 }, (_, i) => `198.51.${i}`);
    const engine = new AnomalyEngine({ geo });
    expect(run(engine, normal({ from: T0, to: T0 + 8 * DAY, perMinute: 2, networks: carriers }))).toEqual([]);
    // Another carrier network of the same country: the key's own.
    expect(run(engine, [event(after, { ip: '198.51.77.9' })])).toEqual([]);
    // A new country is still found (and, this far, as impossible travel too).
    expect(kinds(run(engine, [event(after + 10 * MIN, { ip: '203.0.113.9' })]))).toContain('new_network');
    // A key on three networks of that country is not a roamer: a fourth is new.
    const office = new AnomalyEngine({ geo });
    run(office, normal({ from: T0, to: T0 + 8 * DAY, perMinute: 2, networks: carriers.slice(0, 3) }));
    expect(kinds(run(office, [event(after, { ip: '198.51.77.9' })]))).toEqual(['new_network']);
  });

  it('new network also for IPv6, by /48', () => {
    const engine = new AnomalyEngine();
    const v6 = history.map((e) => ({ ...e, ip: '2001:db8:1::5', network: '2001:db8:1::/48' }));
    run(engine, v6);
    expect(run(engine, [event(after, { ip: '2001:db8:1:ff::9', network: '2001:db8:1::/48' })])).toEqual([]);
    expect(kinds(run(engine, [event(after + 1000, { ip: '2001:db8:2::9', network: '2001:db8:2::/48' })]))).toEqual(['new_network']);
  });

  it('rate spike: far above the key’s own baseline, found within the minute', () => {
    const engine = new AnomalyEngine();
    run(engine, history);
    const minute = after - (after % MIN);
    const control = Array.from({ length: 4 }, (_, i) => event(minute + i * 10_000));
    expect(run(engine, control)).toEqual([]);
    const spike = Array.from({ length: 300 }, (_, i) => event(minute + MIN + i * 100));
    const found = run(engine, spike);
    expect(kinds(found)).toEqual(['rate_spike']);
    expect(found[0]!.detectedAt - (minute + MIN)).toBeLessThan(60_000);
    expect(found[0]!.explanation).toMatch(/made \d+ verifications in the minute from .*× its usual [\d.]+ per minute/);
  });

  it('rate spike stays quiet for a key whose normal volume is that high', () => {
    const engine = new AnomalyEngine();
    const busy = normal({ from: T0, to: T0 + DAY, perMinute: 300, networks: ['198.51.100'], seed: 9 });
    expect(kinds(run(engine, busy))).toEqual([]);
  });

  it('unusual hour: an office-hours key used at 03:00 on a Sunday', () => {
    const engine = new AnomalyEngine();
    run(engine, normal({ from: T0, to: T0 + 14 * DAY, perMinute: 3, networks: ['198.51.100'], active: officeHours }));
    const tuesday10 = T0 + 15 * DAY + 10 * HOUR;
    expect(
      run(
        engine,
        Array.from({ length: 5 }, (_, i) => event(tuesday10 + i * 1000)),
      ),
    ).toEqual([]);
    const sunday3 = T0 + 20 * DAY + 3 * HOUR;
    const found = run(
      engine,
      Array.from({ length: 5 }, (_, i) => event(sunday3 + i * 1000)),
    );
    expect(kinds(found)).toEqual(['unusual_hour']);
    expect(found[0]!.explanation).toMatch(/Sunday 03:00–04:00 UTC.*active in \d+ of the 168 hours/);
  });

  it('unusual hour for a three-day-old key: judged on the hours of its owner’s other keys', () => {
    const engine = new AnomalyEngine();
    // The owner's older keys: office hours for two weeks.
    const elders = ['key_o1', 'key_o2'].flatMap((keyId, i) =>
      normal({ keyId, from: T0, to: T0 + 17 * DAY, perMinute: 1, networks: ['198.51.100'], active: officeHours, seed: 10 + i }),
    );
    const young = normal({
      keyId: 'key_new',
      from: T0 + 14 * DAY,
      to: T0 + 17 * DAY,
      perMinute: 1,
      networks: ['198.51.100'],
      active: officeHours,
      seed: 3,
    });
    // Another owner's round-the-clock key in the same keyspace: the owner, not the keyspace, is the prior.
    const other = normal({ keyId: 'key_247', from: T0, to: T0 + 17 * DAY, perMinute: 0.2, networks: ['192.0.2'], seed: 5 }).map((e) => ({
      ...e,
      ownerId: 'globex',
    }));
    expect(
      run(
        engine,
        [...elders, ...young, ...other].sort((a, b) => a.ts - b.ts),
      ),
    ).toEqual([]);
    // Thursday of its first week, 03:00: the key is three days old, with a few hundred uses.
    const thursday3 = T0 + 17 * DAY + 3 * HOUR;
    const found = run(
      engine,
      Array.from({ length: 3 }, (_, i) => event(thursday3 + i * 1000, { keyId: 'key_new' })),
    );
    expect(kinds(found)).toEqual(['unusual_hour']);
    expect(found[0]!.explanation).toMatch(
      /Key key_new was used at .* Thursday 03:00–04:00 UTC: in its [\d.]+ days it was never used then, nor were the other keys of its owner in [\d,]+ uses over 17 days/,
    );
    expect(found[0]!.details.judgedBy).toBe('owner');
    // The round-the-clock owner's young key at the same hour is not unusual for its owner.
    const globexYoung = normal({
      keyId: 'key_g2',
      from: T0 + 14 * DAY,
      to: T0 + 17 * DAY,
      perMinute: 0.2,
      networks: ['192.0.2'],
      seed: 6,
    }).map((e) => ({
      ...e,
      ownerId: 'globex',
    }));
    run(engine, globexYoung);
    expect(run(engine, [event(thursday3 + 5000, { keyId: 'key_g2', ownerId: 'globex', ip: '192.0.2.9' })])).toEqual([]);
  });

  it('failed burst: one source failing many verifications within a minute', () => {
    const engine = new AnomalyEngine();
    const failed = (ts: number, ip: string) =>
      event(ts, { keyId: null, keyspaceId: null, ownerId: null, outcome: 'NOT_FOUND', ip, cost: 0 });
    // The same volume spread over 30 sources, and over half an hour from one source: normal mistakes.
    expect(
      run(
        engine,
        Array.from({ length: 30 }, (_, i) => failed(after + i * 1000, `192.0.2.${i + 1}`)),
      ),
    ).toEqual([]);
    expect(
      run(
        engine,
        Array.from({ length: 30 }, (_, i) => failed(after + HOUR + i * MIN, '192.0.2.200')),
      ),
    ).toEqual([]);
    const found = run(
      engine,
      Array.from({ length: 30 }, (_, i) => failed(after + 2 * HOUR + i * 1000, '203.0.113.66')),
    );
    expect(kinds(found)).toEqual(['failed_burst']);
    expect(found[0]!.subject).toBe('203.0.113.66');
    expect(found[0]!.explanation).toMatch(/failed 15 verifications within 14 s/);
  });

  it('failed burst: every failure past the threshold is counted, in one batch or across batches', () => {
    const failed = (ts: number, outcome: 'NOT_FOUND' | 'MALFORMED') =>
      event(ts, { keyId: null, keyspaceId: null, ownerId: null, outcome, ip: '203.0.113.77', cost: 0 });
    const burst = Array.from({ length: 1000 }, (_, i) => failed(after + i * 10, i % 3 === 0 ? 'MALFORMED' : 'NOT_FOUND'));
    // One batch: the 15th failure makes the finding, each of the 985 after it a repeat counted on it.
    const one = new AnomalyEngine().process(burst, after + 10_000);
    expect(one.created).toHaveLength(1);
    expect(one.repeats).toEqual([{ fingerprint: 'failed_burst|ws_test|203.0.113.77', count: 985, lastSeenAt: after + 9990 }]);
    expect(one.created[0]).toEqual({
      kind: 'failed_burst',
      severity: 'high',
      subject: '203.0.113.77',
      explanation:
        'Source 203.0.113.77 failed 15 verifications within 0.1 s (10 unknown and 5 malformed keys so far), a brute-force or credential-stuffing pattern.',
      details: {
        failures: 15,
        windowSeconds: 0.14,
        notFound: 10,
        malformed: 5,
        ip: '203.0.113.77',
        network: '203.0.113.0/24',
        userAgent: 'client/1.0',
      },
      fingerprint: 'failed_burst|ws_test|203.0.113.77',
      workspaceId: 'ws_test',
      keyId: null,
      keyspaceId: null,
      firstEventAt: after + 140,
      detectedAt: after + 10_000,
    });
    expect(Object.keys(one.created[0]!.details)).toEqual([
      'failures',
      'windowSeconds',
      'notFound',
      'malformed',
      'ip',
      'network',
      'userAgent',
    ]);
    // The same events in batches of 64 (as the recorder's flushes cut them): the same counts.
    const engine = new AnomalyEngine();
    let created = 0;
    let repeated = 0;
    for (let i = 0; i < burst.length; i += 64) {
      const out = engine.process(burst.slice(i, i + 64), burst[Math.min(i + 63, burst.length - 1)]!.ts);
      created += out.created.length;
      repeated += out.repeats.reduce((a, r) => a + r.count, 0);
    }
    expect([created, repeated]).toEqual([1, 985]);
  });

  it('revoked, expired and deleted keys: any use is a finding', () => {
    const engine = new AnomalyEngine();
    expect(run(engine, [event(after, { keyId: 'key_b' })])).toEqual([]);
    const found = run(engine, [
      event(after + 1000, { keyId: 'key_r', outcome: 'REVOKED', cost: 0 }),
      event(after + 2000, { keyId: 'key_e', outcome: 'EXPIRED', cost: 0 }),
      event(after + 3000, { keyId: 'key_d', outcome: 'NOT_FOUND', deleted: true, cost: 0 }),
    ]);
    expect(found.map((f) => [f.kind, f.severity])).toEqual([
      ['revoked_key_used', 'high'],
      ['expired_key_used', 'medium'],
      ['deleted_key_used', 'high'],
    ]);
  });

  it('repeats within the cool-down count on the first finding instead of making new ones', () => {
    const engine = new AnomalyEngine();
    const out = engine.process(
      Array.from({ length: 5 }, (_, i) => event(after + i * 1000, { keyId: 'key_r', outcome: 'REVOKED' })),
      after + 5000,
    );
    expect(out.created).toHaveLength(1);
    expect(out.repeats).toEqual([{ fingerprint: 'revoked_key_used|key_r', count: 4, lastSeenAt: after + 4000 }]);
  });

  it('impossible travel: Frankfurt then Sydney five minutes later (with a test GeoIP table)', () => {
    const engine = new AnomalyEngine({ geo: TEST_GEO });
    run(engine, normal({ from: T0, to: T0 + 8 * DAY, perMinute: 2, networks: ['198.51.100', '192.0.2'] }));
    const found = run(engine, [event(after, { ip: '198.51.100.7' }), event(after + 5 * MIN, { ip: '203.0.113.9' })]);
    expect(kinds(found).sort()).toEqual(['impossible_travel', 'new_network']);
    const travel = found.find((f) => f.kind === 'impossible_travel')!;
    expect(travel.explanation).toMatch(/used from AU .* km from its use in DE 5 minutes earlier: [\d,]+ km\/h/);
  });

  it('impossible travel stays quiet for a key that always works from both places', () => {
    const engine = new AnomalyEngine({ geo: TEST_GEO });
    const both = normal({ from: T0, to: T0 + 10 * DAY, perMinute: 2, networks: ['198.51.100', '203.0.113'], seed: 4 });
    expect(kinds(run(engine, both))).toEqual([]);
  });

  it('new country, with a GeoIP lookup, when the network is new too', () => {
    const engine = new AnomalyEngine({ geo: TEST_GEO });
    run(engine, history);
    expect(kinds(run(engine, [event(after, { ip: '192.0.2.5' })]))).toEqual(['new_network']);
  });

  it('honeytokens: any use is critical', () => {
    const engine = new AnomalyEngine();
    engine.honeytokens.add('key_honey');
    expect(run(engine, [event(after, { keyId: 'key_plain' })])).toEqual([]);
    const found = run(engine, [event(after + 1000, { keyId: 'key_honey', ip: '203.0.113.50' })]);
    expect(found.map((f) => [f.kind, f.severity])).toEqual([['honeytoken_used', 'critical']]);
    expect(found[0]!.explanation).toMatch(/Honeytoken key_honey was presented from 203\.0\.113\.50/);
  });
});
