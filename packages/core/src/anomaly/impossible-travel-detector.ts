import { LIVE_OUTCOMES, type UsageEvent } from '../usage/usage-event.js';
import { finding, num, type BenignFinding, type DetectionContext, type Detector } from './detector.js';
import type { AnomalyDraft } from './anomaly-records.js';
import { distanceKm } from './geo-lookup.js';
import { minuteUtc, type KeyProfile } from './key-profile.js';

export interface ImpossibleTravelOptions {
  /** Faster than this between two uses is impossible (an airliner does ~900 km/h). */
  maxSpeedKmh: number;
  /** Closer than this is GeoIP noise, whatever the speed. */
  minDistanceKm: number;
  /** Judged once the key's networks are learned (as for new networks). */
  minEvents: number;
  minAgeMs: number;
}

export const IMPOSSIBLE_TRAVEL_DEFAULTS: ImpossibleTravelOptions = {
  maxSpeedKmh: 1000,
  minDistanceKm: 500,
  minEvents: 50,
  minAgeMs: 24 * 3_600_000,
};

/**
 * Two uses of one key from places no traveller could cover in the time between them. Needs a
 * GeoIP lookup (none ships with Tessera). Moving between two networks the key already uses is
 * normal (a service deployed in two regions); a jump to or from a network new to the key is not.
 */
export class ImpossibleTravelDetector implements Detector {
  readonly name = 'impossible-travel';
  readonly kinds = ['impossible_travel'] as const;

  constructor(private readonly o: ImpossibleTravelOptions = IMPOSSIBLE_TRAVEL_DEFAULTS) {}

  observe(e: UsageEvent, ctx: DetectionContext): AnomalyDraft | undefined {
    const p = ctx.profile;
    if (p === undefined || ctx.geo === undefined || e.ip === null || !LIVE_OUTCOMES.has(e.outcome)) return undefined;
    const here = ctx.geo.lookup(e.ip);
    if (here === undefined) return undefined;
    const before = p.place;
    p.place = { ...here, network: e.network, ip: e.ip, ts: e.ts };
    if (before === undefined) return undefined;
    const km = distanceKm(before, here);
    const hours = Math.max(e.ts - before.ts, 60_000) / 3_600_000;
    const speed = km / hours;
    const mature = p.events >= this.o.minEvents && e.ts - p.firstSeenAt >= this.o.minAgeMs;
    const familiar = e.network !== null && p.networks.has(e.network) && before.network !== null && p.networks.has(before.network);
    const known = ctx.tuning !== undefined && (ctx.tuning.known(e.ip) || (before.ip !== undefined && ctx.tuning.known(before.ip)));
    if (!mature || familiar || known || km < this.o.minDistanceKm || speed <= this.o.maxSpeedKmh) return undefined;
    return finding(e, ctx, {
      kind: 'impossible_travel',
      severity: 'high',
      subject: e.keyId!,
      explanation: `Key ${e.keyId} was used from ${here.country} (${e.ip}) at ${minuteUtc(e.ts)}, ${num(km)} km from its use in ${before.country} ${num((e.ts - before.ts) / 60_000)} minutes earlier: ${num(speed)} km/h.`,
      details: {
        km: Math.round(km),
        minutes: Math.round((e.ts - before.ts) / 60_000),
        speedKmh: Math.round(speed),
        from: before.country,
        to: here.country,
      },
      // One finding per key and incident: the jumps back and forth that follow are repeats of it.
      fingerprint: `impossible_travel|${e.keyId}`,
    });
  }

  /** Both places were the key's own: its network is learned, so the pair is familiar from now on. */
  learn(f: BenignFinding, p: KeyProfile | undefined, now: number): void {
    if (p !== undefined && typeof f.details.network === 'string') p.networks.set(f.details.network, now);
  }
}
