import { AnomalyEngine, type AnomalyDraft, type UsageEvent } from '@tessera/core';
import { describe, expect, it } from 'vitest';
import { DAY, event, HOUR, MIN, normal, officeHours, T0, runInBatches } from './traffic.js';

const run = runInBatches;

/** What the anomaly service does when an operator resolves a finding as benign. */
function resolveBenign(engine: AnomalyEngine, f: AnomalyDraft): void {
  engine.forget(f.fingerprint);
  engine.learnBenign(f, f.detectedAt);
}

const failed = (ts: number, ip: string) => event(ts, { keyId: null, keyspaceId: null, ownerId: null, outcome: 'NOT_FOUND', ip, cost: 0 });

/** Each case: a finding, resolved as benign; the same thing again raises nothing; a control still does. */
describe('a finding resolved as benign teaches the detector that raised it', () => {
  it('unusual hour: the hour becomes one of the key’s own', () => {
    const engine = new AnomalyEngine();
    run(engine, normal({ from: T0, to: T0 + 14 * DAY, perMinute: 3, networks: ['198.51.100'], active: officeHours }));
    const sunday3 = T0 + 13 * DAY + 3 * HOUR + 14 * DAY;
    const [f] = run(engine, [event(sunday3)]);
    expect(f?.kind).toBe('unusual_hour');
    resolveBenign(engine, f!);
    expect(run(engine, [event(sunday3 + 7 * DAY)])).toEqual([]);
    expect(run(engine, [event(sunday3 + 7 * DAY + 10 * HOUR)]).map((x) => x.kind)).toEqual(['unusual_hour']); // Sunday 13:00 was never taught
  });

  it('rate spike: the rate becomes the key’s peak', () => {
    const engine = new AnomalyEngine();
    const end = T0 + 8 * DAY;
    run(engine, normal({ from: T0, to: end, perMinute: 2, networks: ['198.51.100'] }));
    const spike = (at: number, n: number) => Array.from({ length: n }, (_, i) => event(at + i * 100));
    const [f] = run(engine, spike(end + MIN, 300));
    expect(f?.kind).toBe('rate_spike');
    resolveBenign(engine, f!);
    expect(run(engine, spike(end + 10 * MIN, 300))).toEqual([]);
    expect(run(engine, spike(end + 20 * MIN, 2000)).map((x) => x.kind)).toEqual(['rate_spike']);
  });

  it('failed burst: the source is expected to fail (a monitor probing with a wrong key)', () => {
    const engine = new AnomalyEngine();
    const burst = (at: number, ip: string) => Array.from({ length: 30 }, (_, i) => failed(at + i * 1000, ip));
    const [f] = run(engine, burst(T0, '192.0.2.10'));
    expect(f?.kind).toBe('failed_burst');
    resolveBenign(engine, f!);
    expect(run(engine, burst(T0 + HOUR, '192.0.2.10'))).toEqual([]);
    expect(run(engine, burst(T0 + 2 * HOUR, '192.0.2.11')).map((x) => x.kind)).toEqual(['failed_burst']);
  });

  it('new network: the network becomes the key’s own', () => {
    const engine = new AnomalyEngine();
    const end = T0 + 8 * DAY;
    run(engine, normal({ from: T0, to: end, perMinute: 2, networks: ['198.51.100'] }));
    const [f] = run(engine, [event(end + MIN, { ip: '203.0.113.9' })]);
    expect(f?.kind).toBe('new_network');
    resolveBenign(engine, f!);
    expect(run(engine, [event(end + 2 * MIN, { ip: '203.0.113.77' })])).toEqual([]);
    expect(run(engine, [event(end + 3 * MIN, { ip: '192.0.2.9' })]).map((x) => x.kind)).toEqual(['new_network']);
  });

  it('fleet failures: the volume becomes usual for that hour', () => {
    const engine = new AnomalyEngine();
    const start = T0 + 2 * DAY + 14 * HOUR;
    const quiet: UsageEvent[] = [];
    for (let m = T0; m < start + 2 * DAY; m += 2 * MIN) quiet.push(failed(m + 5000, '198.51.100.44'));
    const load = (at: number) => Array.from({ length: 200 }, (_, i) => failed(at + i * 3000, `10.1.${i >> 8}.${i & 255}`));
    const first = [...quiet.filter((e) => e.ts < start + 20 * MIN), ...load(start)].sort((a, b) => a.ts - b.ts);
    const [f] = run(engine, first);
    expect(f?.kind).toBe('fleet_failures');
    resolveBenign(engine, f!);
    // The next day, the same load at the same hour is usual; at another hour it is not.
    const next = [...quiet.filter((e) => e.ts >= start + 20 * MIN && e.ts < start + DAY + 20 * MIN), ...load(start + DAY)].sort(
      (a, b) => a.ts - b.ts,
    );
    expect(run(engine, next)).toEqual([]);
    const later = [
      ...quiet.filter((e) => e.ts >= start + DAY + 20 * MIN && e.ts < start + DAY + 8 * HOUR),
      ...load(start + DAY + 6 * HOUR),
    ].sort((a, b) => a.ts - b.ts);
    expect(run(engine, later).map((x) => x.kind)).toEqual(['fleet_failures']);
  });
});
