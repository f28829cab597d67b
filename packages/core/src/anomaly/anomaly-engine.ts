import { LIVE_OUTCOMES, type UsageEvent } from '../usage/usage-event.js';
import type { AnomalyDraft } from './anomaly-records.js';
import { DeadKeyDetector } from './dead-key-detector.js';
import type { BenignFinding, Detector, TuningOf } from './detector.js';
import { FailedBurstDetector } from './failed-burst-detector.js';
import { FleetFailureDetector } from './fleet-failure-detector.js';
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
  /**
   * Leave the once-a-batch judgement of aggregates to the caller (`evaluate`), which first merges
   * the counters of every node: set when nodes share detection state.
   */
  deferAggregates: boolean;
  /** Each keyspace's detection tuning (policy: sensitivity, quiet hours, known networks). */
  tuning: TuningOf | undefined;
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
    new FleetFailureDetector(),
  ];
}

/** A finding that repeats an earlier one: how many more times, and when last. */
export interface Repeat {
  fingerprint: string;
  count: number;
  lastSeenAt: number;
  /** The latest judgement that repeated it, where an aggregate detector made one (its claim is renewed with it). */
  draft?: AnomalyDraft;
}

export interface EngineOutput {
  created: AnomalyDraft[];
  repeats: Repeat[];
}

interface Output {
  created: AnomalyDraft[];
  repeats: Map<string, Repeat>;
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
      deferAggregates: options.deferAggregates ?? false,
      tuning: options.tuning,
    };
  }

  get detectors(): readonly Detector[] {
    return this.o.detectors;
  }

  /** The fleet-wide detector, whose counters nodes share. */
  get fleet(): FleetFailureDetector | undefined {
    return this.o.detectors.find((d): d is FleetFailureDetector => d instanceof FleetFailureDetector);
  }

  /** The per-address detector, whose counts of often-failing addresses nodes share. */
  get bursts(): FailedBurstDetector | undefined {
    return this.o.detectors.find((d): d is FailedBurstDetector => d instanceof FailedBurstDetector);
  }

  /** The per-key rate detector, whose counts of busy keys nodes share. */
  get rates(): RateSpikeDetector | undefined {
    return this.o.detectors.find((d): d is RateSpikeDetector => d instanceof RateSpikeDetector);
  }

  /** The cool-down of a finding: a repeat within it is counted on the finding. */
  get cooldownMs(): number {
    return this.o.cooldownMs;
  }

  /**
   * Processes a batch; `now` is the detection time (events are at or before it). `replay` marks
   * stored events replayed at start-up: they teach the profiles but are not shared with other nodes.
   */
  process(events: readonly UsageEvent[], now: number, replay = false): EngineOutput {
    const out: Output = { created: [], repeats: new Map() };
    const repeatIfOpen = (fingerprint: string, ts: number) => this.repeat(fingerprint, ts, out);
    for (const e of events) {
      const profile = e.keyId === null ? undefined : this.profile(e.keyId, e.ts);
      const tuning = e.keyspaceId === null || this.o.tuning === undefined ? undefined : this.o.tuning(e.keyspaceId);
      const ctx = { profile, honeytokens: this.honeytokens, geo: this.o.geo, now, replay, tuning, repeatIfOpen };
      for (const d of this.o.detectors) {
        const f = d.observe(e, ctx);
        if (f !== undefined) this.admit(f, e.ts, out);
      }
      if (profile !== undefined && LIVE_OUTCOMES.has(e.outcome)) {
        profile.events++;
        profile.lastSeenAt = e.ts;
      }
    }
    if (!this.o.deferAggregates || replay) this.judgeAggregates(now, out);
    if (this.open.size > 100_000) {
      for (const [fp, ts] of this.open) if (now - ts >= this.o.cooldownMs) this.open.delete(fp);
    }
    return { created: out.created, repeats: [...out.repeats.values()] };
  }

  /** Judges the aggregates (fleet-wide counters) once: with `deferAggregates`, after they were merged. */
  evaluate(now: number): EngineOutput {
    const out: Output = { created: [], repeats: new Map() };
    this.judgeAggregates(now, out);
    return { created: out.created, repeats: [...out.repeats.values()] };
  }

  private judgeAggregates(now: number, out: Output): void {
    for (const d of this.o.detectors)
      for (const f of d.evaluate?.(now, this.o.tuning) ?? []) {
        this.admit(f, f.detectedAt, out);
        const r = out.repeats.get(f.fingerprint);
        if (r !== undefined) r.draft = f;
      }
  }

  /** A new finding, or a repeat of one still in its cool-down. */
  private admit(f: AnomalyDraft, ts: number, out: Output): void {
    if (!this.repeat(f.fingerprint, ts, out)) {
      this.open.set(f.fingerprint, ts);
      out.created.push(f);
    }
  }

  /** Counts a repeat when `fingerprint` is in its cool-down at `ts` (which it then extends); false when it is not. */
  private repeat(fingerprint: string, ts: number, out: Output): boolean {
    const last = this.open.get(fingerprint);
    if (last === undefined || ts - last >= this.o.cooldownMs) return false;
    this.open.set(fingerprint, ts);
    const r = out.repeats.get(fingerprint);
    if (r === undefined) out.repeats.set(fingerprint, { fingerprint, count: 1, lastSeenAt: ts });
    else {
      r.count++;
      r.lastSeenAt = ts;
    }
    return true;
  }

  /** Forgets a fingerprint's cool-down (after its finding was resolved), so it can fire anew. */
  forget(fingerprint: string): void {
    this.open.delete(fingerprint);
  }

  /** Teaches the detector that raised a finding that it was benign (every detector learns its own way). */
  learnBenign(f: BenignFinding, now: number): void {
    const profile = f.keyId === null ? undefined : this.profiles.get(f.keyId);
    for (const d of this.o.detectors) if (d.kinds.includes(f.kind)) d.learn?.(f, profile, now);
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
