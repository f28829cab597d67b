import { ManualClock, VerifyTimeline, type UsageEvent, type VerifyCode } from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

const T0 = Date.parse('2026-03-02T10:00:00Z');
const MINUTE = 60_000;

function event(ts: number, keyId: string | null, outcome: VerifyCode = 'VALID', ip: string | null = '192.0.2.1'): UsageEvent {
  return {
    ts,
    workspaceId: 'ws_t',
    keyId,
    keyspaceId: 'ks_t',
    ownerId: null,
    outcome,
    ip,
    network: null,
    userAgent: null,
    cost: 0,
    resource: null,
    method: null,
    scopes: null,
  };
}

/** The console's per-minute charts, fed with the usage recorder's batches. */
describe('the verification timeline', () => {
  it('counts each batch per minute and outcome, for the node and per key', () => {
    const clock = new ManualClock(T0 + 2 * MINUTE + 5000);
    const t = new VerifyTimeline(clock, 5);
    t.ingest([event(T0, 'key_a'), event(T0 + 10, 'key_b', 'REVOKED'), event(T0 + 20, null, 'NOT_FOUND')]);
    t.ingest([event(T0 + MINUTE - 1, 'key_a'), event(T0 + MINUTE, 'key_a', 'RATE_LIMITED'), event(T0 + 2 * MINUTE, 'key_a')]);
    const all = t.series();
    expect(all).toHaveLength(5);
    expect(all.slice(-3)).toEqual([
      { minute: '2026-03-02T10:00:00.000Z', counts: { VALID: 2, REVOKED: 1, NOT_FOUND: 1 } },
      { minute: '2026-03-02T10:01:00.000Z', counts: { RATE_LIMITED: 1 } },
      { minute: '2026-03-02T10:02:00.000Z', counts: { VALID: 1 } },
    ]);
    expect(
      t
        .series('key_a')
        .slice(-3)
        .map((p) => p.counts),
    ).toEqual([{ VALID: 2 }, { RATE_LIMITED: 1 }, { VALID: 1 }]);
    expect(
      t
        .series('key_b')
        .slice(-3)
        .map((p) => p.counts),
    ).toEqual([{ REVOKED: 1 }, {}, {}]);
    expect(t.series('key_unknown').every((p) => Object.keys(p.counts).length === 0)).toBe(true);
  });

  it('keeps a key’s latest verifications, newest first, however many a batch holds', () => {
    const t = new VerifyTimeline(new ManualClock(T0), 60, 100, 20);
    t.ingest(Array.from({ length: 7 }, (_, i) => event(T0 + i, 'key_r', 'VALID', `192.0.2.${i}`)));
    expect(t.recent('key_r').map((r) => r.ip)).toEqual([
      '192.0.2.6',
      '192.0.2.5',
      '192.0.2.4',
      '192.0.2.3',
      '192.0.2.2',
      '192.0.2.1',
      '192.0.2.0',
    ]);
    // 7 + 30 + 16: the ring wraps more than once across batches.
    t.ingest(Array.from({ length: 30 }, (_, i) => event(T0 + 100 + i, 'key_r', i % 2 === 0 ? 'VALID' : 'RATE_LIMITED', `198.51.100.${i}`)));
    t.ingest(Array.from({ length: 16 }, (_, i) => event(T0 + 200 + i, 'key_r', 'REVOKED', `203.0.113.${i}`)));
    const recent = t.recent('key_r');
    expect(recent).toHaveLength(20);
    expect(recent.map((r) => r.ip)).toEqual([
      ...Array.from({ length: 16 }, (_, i) => `203.0.113.${15 - i}`),
      ...[29, 28, 27, 26].map((i) => `198.51.100.${i}`),
    ]);
    expect(recent[0]).toEqual({ at: new Date(T0 + 215).toISOString(), code: 'REVOKED', ip: '203.0.113.15' });
    expect(recent[19]).toEqual({ at: new Date(T0 + 126).toISOString(), code: 'VALID', ip: '198.51.100.26' });
  });

  it('forgets the key used longest ago when it holds too many, and minutes older than its window', () => {
    const clock = new ManualClock(T0);
    const t = new VerifyTimeline(clock, 3, 2);
    t.ingest([event(T0, 'key_1'), event(T0 + 1, 'key_2')]);
    t.ingest([event(T0 + 2, 'key_1'), event(T0 + 3, 'key_3')]); // key_2 was used longest ago
    expect(t.recent('key_2')).toEqual([]);
    expect(t.recent('key_1')).toHaveLength(2);
    expect(t.recent('key_3')).toHaveLength(1);

    clock.advance(5 * MINUTE);
    t.ingest([event(T0 + 5 * MINUTE, 'key_1')]);
    expect(t.series('key_1').map((p) => p.counts)).toEqual([{}, {}, { VALID: 1 }]);
    expect(t.series().map((p) => p.counts)).toEqual([{}, {}, { VALID: 1 }]);
  });

  describe('in the server', () => {
    let s: TestServer;
    beforeAll(async () => {
      s = await startTestServer('sqlite');
    });
    afterAll(async () => {
      await s?.close();
    });

    it('shows verifications made over HTTP once their batch is read', async () => {
      const ks = (await s.api('POST', '/v1/keyspaces', { name: 'timeline', prefix: 'tl' })).body.id as string;
      const { keyId, key } = (await s.api('POST', '/v1/keys', { keyspaceId: ks })).body as { keyId: string; key: string };
      for (const ip of ['192.0.2.7', '192.0.2.8']) expect((await s.api('POST', '/v1/keys/verify', { key, ip })).body.code).toBe('VALID');
      await s.services.monitoring.settle();
      expect(s.services.verifyTimeline.recent(keyId).map((r) => [r.code, r.ip])).toEqual([
        ['VALID', '192.0.2.8'],
        ['VALID', '192.0.2.7'],
      ]);
      expect(s.services.verifyTimeline.series(keyId).reduce((n, p) => n + (p.counts.VALID ?? 0), 0)).toBe(2);
    });
  });
});
