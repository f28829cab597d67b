import { AnomalyEngine, type AnomalyDraft, type UsageEvent } from '@tessera/core';
import { describe, expect, it } from 'vitest';
import { DAY, event, HOUR, MIN, rng, T0 } from './traffic.js';

/** Runs events through an engine in one-second batches, as the usage recorder does; repeats summed. */
function run(engine: AnomalyEngine, events: UsageEvent[]): { created: AnomalyDraft[]; repeats: number } {
  const created: AnomalyDraft[] = [];
  let repeats = 0;
  let batch: UsageEvent[] = [];
  let second = -1;
  const flush = () => {
    const out = engine.process(batch, second * 1000 + 1000);
    created.push(...out.created);
    repeats += out.repeats.reduce((n, r) => n + r.count, 0);
    batch = [];
  };
  for (const e of events) {
    const s = Math.floor(e.ts / 1000);
    if (s !== second && batch.length > 0) flush();
    second = s;
    batch.push(e);
  }
  if (batch.length > 0) flush();
  return { created, repeats };
}

const failed = (ts: number, ip: string, over: Partial<UsageEvent> = {}) =>
  event(ts, { keyId: null, keyspaceId: null, ownerId: null, outcome: 'NOT_FOUND', ip, cost: 0, ...over });

/**
 * What a workspace's failures look like on ordinary days: typos from all over, a few an hour; a
 * misconfigured client retrying a wrong key every two minutes; and (with `nightly`) a batch job
 * whose stale keys fail about 40 times from 20 machines at 02:00 every night.
 */
function background(from: number, to: number, seed: number, nightly = false): UsageEvent[] {
  const random = rng(seed);
  const out: UsageEvent[] = [];
  for (let m = from; m < to; m += MIN) {
    if (random() < 0.08)
      out.push(failed(m + Math.floor(random() * MIN), `203.0.${Math.floor(random() * 250)}.${1 + Math.floor(random() * 250)}`));
    if ((m / MIN) % 2 === 0) out.push(failed(m + 5000, '192.0.2.44'));
    if (nightly && m % DAY >= 2 * HOUR && m % DAY < 2 * HOUR + 10 * MIN)
      for (let i = 0, n = 3 + Math.floor(random() * 3); i < n; i++)
        out.push(failed(m + Math.floor(random() * MIN), `198.51.100.${1 + Math.floor(random() * 20)}`));
    out.push(event(m + 30_000)); // and ordinary use
  }
  return out.sort((a, b) => a.ts - b.ts);
}

/** `addresses` sources, `each` guesses apiece, spread evenly over `spanMs` from `start`. */
function lowAndSlow(start: number, addresses: number, each: number, spanMs: number, over: Partial<UsageEvent> = {}): UsageEvent[] {
  const random = rng(77);
  const out: UsageEvent[] = [];
  const n = addresses * each;
  for (let i = 0; i < n; i++) {
    const a = i % addresses;
    out.push(failed(start + Math.floor((i / n) * spanMs + random() * 1000), `10.${(a >> 8) & 255}.${a & 255}.${1 + (i % 7)}`, over));
  }
  return out.sort((a, b) => a.ts - b.ts);
}

describe('fleet-wide detection: failures across a workspace and its keyspaces', () => {
  it('stays quiet on ordinary failures, then finds guessing from 300 addresses, two guesses each, over an hour', () => {
    const engine = new AnomalyEngine();
    const start = T0 + 2 * DAY + 14 * HOUR;
    expect(run(engine, background(T0, start, 1)).created).toEqual([]);
    const attack = lowAndSlow(start, 300, 2, HOUR);
    const events = [...attack, ...background(start, start + HOUR, 2)].sort((a, b) => a.ts - b.ts);
    const { created, repeats } = run(engine, events);
    // No address comes near the per-address threshold: only the fleet-wide view sees it.
    expect(created.map((f) => f.kind)).toEqual(['fleet_failures']);
    const f = created[0]!;
    expect(f.detectedAt - start).toBeLessThanOrEqual(5 * MIN);
    expect(f.subject).toBe('ws_test');
    expect(f.explanation).toMatch(
      /^Workspace ws_test had \d+ failed verifications \(\d+ NOT_FOUND\) from \d+ addresses in the last 10 minutes, against a usual [\d.]+ failures/,
    );
    expect(f.details).toMatchObject({ scope: 'workspace', windowMinutes: 10 });
    expect((f.details.sampleSources as string[]).length).toBe(10);
    expect(f.details.sources as number).toBeGreaterThan(15);
    // One incident: the rest of the hour counts on it, once a minute.
    expect(repeats).toBeGreaterThan(30);
    expect(repeats).toBeLessThanOrEqual(60);
  });

  it('finds enumeration of one keyspace, naming it, when the workspace as a whole is busier', () => {
    const engine = new AnomalyEngine();
    const start = T0 + 2 * DAY + 10 * HOUR;
    run(engine, background(T0, start, 3));
    const attack = lowAndSlow(start, 40, 5, 30 * MIN, { keyspaceId: 'ks_pay', outcome: 'REVOKED' });
    const { created } = run(
      engine,
      [...attack, ...background(start, start + 30 * MIN, 4)].sort((a, b) => a.ts - b.ts),
    );
    expect(created.map((f) => [f.kind, f.subject])).toEqual([['fleet_failures', 'ks_pay']]);
    expect(created[0]!.explanation).toMatch(/^Keyspace ks_pay had \d+ failed verifications \(\d+ REVOKED\)/);
  });

  it('a surge of distinct sources fires even when one noisy client keeps the failure rate high', () => {
    const engine = new AnomalyEngine();
    const start = T0 + 2 * DAY + 10 * HOUR;
    const noisy = (from: number, to: number) => {
      const out: UsageEvent[] = [];
      for (let t = from; t < to; t += 5000) out.push(failed(t, '192.0.2.99')); // 12 a minute, for days
      return out;
    };
    expect(
      run(
        engine,
        [...noisy(T0, start), ...background(T0, start, 5)].sort((a, b) => a.ts - b.ts),
      ).created,
    ).toEqual([]);
    const attack = lowAndSlow(start, 200, 1, 20 * MIN);
    const { created } = run(
      engine,
      [...attack, ...noisy(start, start + 20 * MIN)].sort((a, b) => a.ts - b.ts),
    );
    expect(created.map((f) => f.kind)).toEqual(['fleet_failures']);
    expect(created[0]!.details.trigger).toBe('sources');
  });

  it('finds the slowest spread guessing, five tries a minute from 220 addresses, within three and a half minutes, by its sources', () => {
    const engine = new AnomalyEngine();
    const start = T0 + 3 * DAY + 20 * HOUR;
    // Stray guesses from the internet besides the typos: an address every three minutes or so, one to three tries each.
    const stray = (from: number, to: number, seed: number) => {
      const random = rng(seed);
      const out: UsageEvent[] = [];
      for (let m = from; m < to; m += MIN)
        if (random() < 0.3) {
          const ip = `198.18.${Math.floor(random() * 250)}.${1 + Math.floor(random() * 250)}`;
          for (let k = 1 + Math.floor(random() * 3); k > 0; k--) out.push(failed(m + k * 1000, ip));
        }
      return out;
    };
    const days = [...background(T0, start, 12), ...stray(T0, start, 13)].sort((a, b) => a.ts - b.ts);
    expect(run(engine, days).created).toEqual([]);
    const attack = lowAndSlow(start, 220, 2, 90 * MIN);
    const { created } = run(
      engine,
      [...attack, ...background(start, start + HOUR, 14), ...stray(start, start + HOUR, 15)].sort((a, b) => a.ts - b.ts),
    );
    expect(created.map((f) => f.kind)).toEqual(['fleet_failures']);
    const f = created[0]!;
    // With the failures' margin on the sources too (5 × √expected + 8) it took 247 s.
    expect(f.detectedAt - start).toBeLessThanOrEqual(3.5 * MIN);
    expect(f.details.trigger).toBe('sources');
  });

  it('learns a nightly batch of failures as that hour’s usual, and still sees an attack at another hour', () => {
    const engine = new AnomalyEngine();
    const quiet = run(engine, background(T0, T0 + 9 * DAY + 12 * HOUR, 6, true)).created;
    // The first nights are judged before two nights were seen; after them, none.
    expect(quiet.filter((f) => f.firstEventAt >= T0 + 2 * DAY)).toEqual([]);
    const start = T0 + 9 * DAY + 12 * HOUR;
    const { created } = run(engine, lowAndSlow(start, 150, 2, HOUR));
    expect(created.map((f) => f.kind)).toEqual(['fleet_failures']);
  });

  it('replayed events teach the baseline but raise nothing new after', () => {
    const engine = new AnomalyEngine();
    const start = T0 + 2 * DAY;
    const history = background(T0, start, 8);
    for (let t = T0; t < start; t += 10 * MIN)
      engine.process(
        history.filter((e) => e.ts >= t && e.ts < t + 10 * MIN),
        t + 10 * MIN,
        true,
      );
    expect(run(engine, background(start, start + 2 * HOUR, 9)).created).toEqual([]);
    expect(run(engine, lowAndSlow(start + 2 * HOUR, 300, 2, HOUR)).created.map((f) => f.kind)).toEqual(['fleet_failures']);
  });
});
