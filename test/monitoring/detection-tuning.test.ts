import { AnomalyEngine, CidrTableGeoLookup, compileTuning, type AnomalyDraft, type DetectionTuning } from '@tessera/core';
import { describe, expect, it } from 'vitest';
import { DAY, event, HOUR, MIN, normal, T0, runInBatches } from './traffic.js';

const run = runInBatches;

const DEFAULTS = { detectionSensitivity: 1, quietHours: [] as number[], knownNetworks: [] as string[] };

/** An engine whose keyspace `ks_test` is tuned as given (other keyspaces as built). */
function tuned(t: Partial<typeof DEFAULTS>, geo?: CidrTableGeoLookup): AnomalyEngine {
  const tuning: DetectionTuning | undefined = compileTuning({ ...DEFAULTS, ...t });
  return new AnomalyEngine({ geo, tuning: (ks) => (ks === 'ks_test' ? tuning : undefined) });
}

const kinds = (fs: AnomalyDraft[]) => fs.map((f) => f.kind);

/** Each case runs the same traffic through an engine as built and one tuned: only the tuning differs. */
describe('per-keyspace detection tuning changes what the detectors find', () => {
  const history = normal({ from: T0, to: T0 + 8 * DAY, perMinute: 2, networks: ['198.51.100'] });
  const end = T0 + 8 * DAY;

  it('sensitivity scales the rate-spike threshold: 2 finds a spike that 1 lets pass, 0.5 lets pass one that 1 finds', () => {
    const spike = (n: number) => Array.from({ length: n }, (_, i) => event(end + MIN + i * 50));
    const learned = (engine: AnomalyEngine) => (run(engine, history), engine);
    const limit = Math.ceil(learned(new AnomalyEngine()).profiles.get('key_a')!.rate.threshold);
    // Between half and all of the threshold: only the keen engine fires.
    const mid = Math.ceil(limit * 0.75);
    expect(kinds(run(learned(new AnomalyEngine()), spike(mid)))).toEqual([]);
    const [f] = run(learned(tuned({ detectionSensitivity: 2 })), spike(mid));
    expect(f?.kind).toBe('rate_spike');
    expect(f!.explanation).toContain('keyspace sensitivity 2');
    // Over the threshold but under twice it: the lax engine stays quiet.
    const over = limit + 10;
    expect(kinds(run(learned(new AnomalyEngine()), spike(over)))).toEqual(['rate_spike']);
    expect(kinds(run(learned(tuned({ detectionSensitivity: 0.5 })), spike(over)))).toEqual([]);
  });

  it('sensitivity stretches the failed-burst window for failures pinned to the keyspace', () => {
    // 15 failures in 100 s from one address: under the 60 s window as built, within 120 s at sensitivity 2.
    const slow = Array.from({ length: 15 }, (_, i) =>
      event(T0 + i * 7000, { keyId: null, ownerId: null, outcome: 'NOT_FOUND', ip: '192.0.2.10', cost: 0 }),
    );
    expect(kinds(run(new AnomalyEngine(), slow))).toEqual([]);
    expect(kinds(run(tuned({ detectionSensitivity: 2 }), slow))).toEqual(['failed_burst']);
  });

  it('quiet hours: a two-day-old key (judged on nothing as built) used in one is found; resolved benign, the key may use it', () => {
    const young = normal({
      from: T0 + 9 * HOUR,
      to: T0 + 2 * DAY,
      perMinute: 1,
      networks: ['198.51.100'],
      active: (ts) => (ts / HOUR) % 24 >= 9,
    });
    const night = event(T0 + 2 * DAY + 3 * HOUR + 5 * MIN);
    const plain = new AnomalyEngine();
    run(plain, young);
    expect(kinds(run(plain, [night]))).toEqual([]);
    const quiet = tuned({ quietHours: [2, 3, 4] });
    expect(kinds(run(quiet, young))).toEqual([]); // its working hours are not quiet
    const [f] = run(quiet, [night]);
    expect(f?.kind).toBe('unusual_hour');
    expect(f!.details).toMatchObject({ judgedBy: 'quiet_hours', quietHour: 3 });
    expect(f!.explanation).toContain('03:00–04:00 UTC a quiet hour');
    quiet.forget(f!.fingerprint);
    quiet.learnBenign(f!, f!.detectedAt);
    expect(kinds(run(quiet, [event(T0 + 3 * DAY + 3 * HOUR)]))).toEqual([]);
    expect(kinds(run(quiet, [event(T0 + 3 * DAY + 4 * HOUR)]))).toEqual(['unusual_hour']); // 04:00 was not taught
    // Another keyspace's keys are not tuned.
    expect(kinds(run(quiet, [event(T0 + 4 * DAY + 3 * HOUR, { keyId: 'key_b', keyspaceId: 'ks_other' })]))).toEqual([]);
  });

  it('known networks are never a new network, nor impossible travel', () => {
    const geo = new CidrTableGeoLookup([
      { cidr: '198.51.100.0/24', location: { country: 'DE', latitude: 50.11, longitude: 8.68 } },
      { cidr: '203.0.113.0/24', location: { country: 'AU', latitude: -33.87, longitude: 151.21 } },
    ]);
    const office = event(end + 2 * MIN, { ip: '203.0.113.9' });
    const plain = new AnomalyEngine({ geo });
    run(plain, history);
    expect(kinds(run(plain, [office])).sort()).toEqual(['impossible_travel', 'new_network']);
    const known = tuned({ knownNetworks: ['203.0.113.0/25', '2001:db8::/32'] }, geo);
    run(known, history);
    expect(kinds(run(known, [office]))).toEqual([]);
    // Outside the known /25: still new.
    expect(kinds(run(known, [event(end + 90 * MIN, { ip: '203.0.113.200' })]))).toContain('new_network');
  });
});
