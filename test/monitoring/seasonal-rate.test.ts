import { AnomalyEngine, type AnomalyDraft, type UsageEvent } from '@tessera/core';
import { describe, expect, it } from 'vitest';
import { DAY, event, HOUR, MIN, normal, T0, runInBatches } from './traffic.js';

/** The events in time order, a batch a second. */
const run = (engine: AnomalyEngine, events: UsageEvent[]) =>
  runInBatches(
    engine,
    events.sort((a, b) => a.ts - b.ts),
  );

/** `perMinute` uses a minute, spread evenly, for `minutes` minutes from `at`. */
const burst = (at: number, minutes: number, perMinute: number, keyId = 'key_a') =>
  Array.from({ length: minutes * perMinute }, (_, i) => event(at + Math.floor((i * MIN) / perMinute), { keyId }));

const spikes = (fs: AnomalyDraft[]) => fs.filter((f) => f.kind === 'rate_spike');

/** A key's rate is judged against its own hour of the day, weekdays and weekends apart. */
describe('seasonal rate baselines per key', () => {
  it('a nightly batch is the key’s normal at night, and the same rate at noon is a spike', () => {
    const engine = new AnomalyEngine();
    const days = 9;
    const history = normal({ from: T0, to: T0 + days * DAY, perMinute: 2, networks: ['198.51.100'] });
    for (let d = 0; d < days; d++) history.push(...burst(T0 + d * DAY + 2 * HOUR, 20, 150));
    run(engine, history);
    // The tenth night: the batch again, usual.
    const night = T0 + days * DAY + 2 * HOUR;
    const steady = (from: number, to: number) => normal({ from, to, perMinute: 2, networks: ['198.51.100'], seed: 7 });
    expect(spikes(run(engine, [...steady(T0 + days * DAY, night + 30 * MIN), ...burst(night, 20, 150)]))).toEqual([]);
    // The same rate at 14:00: not the key's hour for it.
    const noon = T0 + days * DAY + 14 * HOUR;
    const [f] = spikes(run(engine, [...steady(night + 30 * MIN, noon + 10 * MIN), ...burst(noon, 5, 150)]));
    expect(f).toBeDefined();
    expect(f!.details.peak as number).toBeGreaterThan(100); // the key's overall peak is the batch's; the threshold is not
    expect(f!.details.threshold as number).toBeLessThan(150);
  });

  it('a weekday-only rate is usual on a weekday and a spike on Saturday', () => {
    const engine = new AnomalyEngine();
    const history = normal({ from: T0, to: T0 + 12 * DAY, perMinute: 2, networks: ['198.51.100'] });
    // Weekdays (T0 is a Monday): a 10:00 rush of 120 a minute.
    for (let d = 0; d < 12; d++) if (d % 7 < 5) history.push(...burst(T0 + d * DAY + 10 * HOUR, 15, 120));
    run(engine, history);
    const steady = (from: number, to: number) => normal({ from, to, perMinute: 2, networks: ['198.51.100'], seed: 9 });
    const saturday = T0 + 12 * DAY + 10 * HOUR;
    expect(new Date(saturday).getUTCDay()).toBe(6);
    expect(spikes(run(engine, steady(T0 + 12 * DAY, saturday)))).toEqual([]);
    // The rush on a Saturday is a spike…
    expect(spikes(run(engine, burst(saturday, 5, 120))).length).toBe(1);
    // …and on Monday it is usual again.
    const monday = T0 + 14 * DAY + 10 * HOUR;
    expect(spikes(run(engine, [...steady(saturday + 10 * MIN, monday), ...burst(monday, 15, 120)]))).toEqual([]);
  });
});
