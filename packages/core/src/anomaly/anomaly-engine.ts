import { LIVE_OUTCOMES, type UsageEvent } from '../usage/usage-event.js';
import type { AnomalyDraft } from './anomaly-records.js';
import { DeadKeyDetector } from './dead-key-detector.js';
import type { Detector } from './detector.js';
import { FailedBurstDetector } from './failed-burst-detector.js';
import type { GeoLookup } from './geo-lookup.js';
import { HoneytokenDetector } from './honeytoken-detector.js';
import { ImpossibleTravelDetector } from './impossible-travel-detector.js';
import { newProfile, type KeyProfile } from './key-profile.js';
import { NewNetworkDetector } from './new-network-detector.js';
import { RateSpikeDetector } from './rate-spike-detector.js';
import { UnusualHourDetector } from './unusual-hour-detector.js';

export interface AnomalyEngineOptions {
  detectors: Detector[];
  geo: GeoLookup | undefined;
  /** A finding with the same fingerprint within this long of the last one is a repeat, counted on it. */
  cooldownMs: number;
  /** Key profiles kept at most (the least recently used are forgotten first). */
  maxProfiles: number;
}

export function defaultDetectors(): Detector[] {
  // Order matters only for which finding an event raises first; every detector sees every event.
  return [
    new HoneytokenDetector(),
    new DeadKeyDetector(),
    new FailedBurstDetector(),
    new ImpossibleTravelDetector(),
    new NewNetworkDetector(),
    new RateSpikeDetector(),
    new UnusualHourDetector(),
  ];
}

export interface EngineOutput {
  created: AnomalyDraft[];
  /** Findings that repeat an earlier one: how many more times, and when last. */
  repeats: { fingerprint: string; count: number; lastSeenAt: number }[];
}

/**
 * Runs the detectors over usage events, in time order, keeping a profile per key. Pure and
 * synchronous: the same engine runs in the server (fed by the usage recorder) and in
 * `npm run bench:detect` (fed by the synthetic traffic generator).
 */
export class AnomalyEngine {
  readonly profiles = new Map<string, KeyProfile>();
  readonly honeytokens = new Set<string>();
  private readonly open = new Map<string, number>();
  private readonly o: AnomalyEngineOptions;

  constructor(options: Partial<AnomalyEngineOptions> = {}) {
    this.o = {
      detectors: options.detectors ?? defaultDetectors(),
      geo: options.geo,
      cooldownMs: options.cooldownMs ?? 3_600_000,
      maxProfiles: options.maxProfiles ?? 1_000_000,
    };
  }

  get detectors(): readonly Detector[] {
    return this.o.detectors;
  }

  /** Processes a batch; `now` is the detection time (events are at or before it). */
  process(events: readonly UsageEvent[], now: number): EngineOutput {
    const created: AnomalyDraft[] = [];
    const repeats = new Map<string, { fingerprint: string; count: number; lastSeenAt: number }>();
    for (const e of events) {
      const profile = e.keyId === null ? undefined : this.profile(e.keyId, e.ts);
      const ctx = { profile, honeytokens: this.honeytokens, geo: this.o.geo, now };
      for (const d of this.o.detectors) {
        const f = d.observe(e, ctx);
        if (f === undefined) continue;
        const last = this.open.get(f.fingerprint);
        this.open.set(f.fingerprint, e.ts);
        if (last !== undefined && e.ts - last < this.o.cooldownMs) {
          const r = repeats.get(f.fingerprint);
          if (r === undefined) repeats.set(f.fingerprint, { fingerprint: f.fingerprint, count: 1, lastSeenAt: e.ts });
          else {
            r.count++;
            r.lastSeenAt = e.ts;
          }
        } else created.push(f);
      }
      if (profile !== undefined && LIVE_OUTCOMES.has(e.outcome)) {
        profile.events++;
        profile.lastSeenAt = e.ts;
      }
    }
    if (this.open.size > 100_000) {
      for (const [fp, ts] of this.open) if (now - ts >= this.o.cooldownMs) this.open.delete(fp);
    }
    return { created, repeats: [...repeats.values()] };
  }

  /** Forgets a fingerprint's cool-down (after its finding was resolved), so it can fire anew. */
  forget(fingerprint: string): void {
    this.open.delete(fingerprint);
  }

  /** Teaches a key's profile that a network is its own (a finding resolved as benign). */
  learnNetwork(keyId: string, network: string, ts: number): void {
    this.profiles.get(keyId)?.networks.set(network, ts);
  }

  private profile(keyId: string, ts: number): KeyProfile {
    let p = this.profiles.get(keyId);
    if (p === undefined) {
      if (this.profiles.size >= this.o.maxProfiles) this.profiles.delete(this.profiles.keys().next().value!);
      p = newProfile(ts);
      this.profiles.set(keyId, p);
    }
    return p;
  }
}
