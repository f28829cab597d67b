import { LIVE_OUTCOMES, type UsageEvent } from '../usage/usage-event.js';
import { finding, num, type BenignFinding, type DetectionContext, type Detector } from './detector.js';
import type { AnomalyDraft } from './anomaly-records.js';
import { minuteUtc, type KeyProfile, type RateState } from './key-profile.js';

export interface RateSpikeOptions {
  /** Never fire below this many uses in a minute. */
  minCount: number;
  /** Fire above this multiple of the baseline rate… */
  ratio: number;
  /** …and above the baseline plus this many robust standard deviations (1.4826 × mean absolute deviation)… */
  deviations: number;
  /** …and above this multiple of the key's decaying peak minute (so a nightly batch job is its own normal). */
  peakFactor: number;
  /** Minutes of history before the key is judged. */
  minMinutes: number;
  /** Baseline smoothing: the EWMA spans this many minutes. */
  spanMinutes: number;
  /** The peak halves over this many minutes. */
  peakHalfLifeMinutes: number;
}

export const RATE_SPIKE_DEFAULTS: RateSpikeOptions = {
  minCount: 30,
  ratio: 6,
  deviations: 8,
  peakFactor: 2,
  minMinutes: 120,
  spanMinutes: 60,
  peakHalfLifeMinutes: 3 * 1440,
};

/**
 * Request rate far above the key's own baseline. The baseline is an EWMA of uses per minute with
 * an EWMA of the absolute deviation (robust to outliers, unlike a variance), and a peak that
 * decays over days. Minutes are judged while they run, so a spike is found within its first
 * minute; a minute that spiked is kept out of the baseline (for up to an hour of them).
 */
export class RateSpikeDetector implements Detector {
  readonly name = 'rate-spike';
  readonly kinds = ['rate_spike'] as const;
  private readonly alpha: number;
  private readonly peakDecay: number;

  constructor(private readonly o: RateSpikeOptions = RATE_SPIKE_DEFAULTS) {
    this.alpha = 2 / (o.spanMinutes + 1);
    this.peakDecay = 0.5 ** (1 / o.peakHalfLifeMinutes);
  }

  observe(e: UsageEvent, ctx: DetectionContext): AnomalyDraft | undefined {
    const p = ctx.profile;
    if (p === undefined || !LIVE_OUTCOMES.has(e.outcome)) return undefined;
    const r = p.rate;
    const minute = Math.floor(e.ts / 60_000);
    if (r.minute === -1) r.minute = minute;
    if (minute > r.minute) {
      this.close(r, r.count);
      const idle = Math.min(minute - r.minute - 1, 1440);
      for (let i = 0; i < idle; i++) this.close(r, 0);
      r.minute = minute;
      r.count = 0;
      r.fired = false;
      r.threshold = r.minutes >= this.o.minMinutes ? this.threshold(r) : Infinity;
    }
    r.count++;
    if (r.fired) return undefined;
    // A keyspace's sensitivity scales the margin over the baseline (2: half of it).
    const limit = ctx.tuning === undefined ? r.threshold : limitOf(r, ctx.tuning.sensitivity);
    if (r.count <= limit) return undefined;
    r.fired = true;
    return finding(e, ctx, {
      kind: 'rate_spike',
      severity: 'high',
      subject: e.keyId!,
      explanation: `Key ${e.keyId} made ${num(r.count)} verifications in the minute from ${minuteUtc(minute * 60_000)}, ${num(r.count / Math.max(r.ewma, 0.1))}× its usual ${num(r.ewma)} per minute (threshold ${num(limit)}${limit === r.threshold ? '' : `, keyspace sensitivity ${num(ctx.tuning!.sensitivity)}`}).`,
      details: {
        count: r.count,
        baselinePerMinute: round(r.ewma),
        deviation: round(r.ewmad),
        peak: round(r.peak),
        threshold: round(limit),
      },
      fingerprint: `rate_spike|${e.keyId}`,
    });
  }

  /** That rate was the key's own: it becomes the key's peak, so the next threshold is above it. */
  learn(f: BenignFinding, p: KeyProfile | undefined): void {
    if (p === undefined || typeof f.details.count !== 'number') return;
    const r = p.rate;
    // The whole minute, when it is over: the finding counted only up to the threshold.
    r.peak = Math.max(r.peak, f.details.count, r.lastSpike, r.fired ? r.count : 0);
    if (r.minutes >= this.o.minMinutes) r.threshold = Math.max(r.threshold, this.threshold(r));
  }

  private threshold(r: RateState): number {
    const o = this.o;
    return Math.max(o.minCount, o.ratio * r.ewma, r.ewma + o.deviations * 1.4826 * r.ewmad, o.peakFactor * r.peak);
  }

  private close(r: RateState, count: number): void {
    // A minute over the threshold is left out of the baseline and the peak — otherwise each attack
    // would lift the next threshold — unless the key stays that busy for an hour: then it is the
    // key's new normal, and the baseline takes it.
    const spiked = count > r.threshold;
    r.spikeMinutes = spiked ? r.spikeMinutes + 1 : 0;
    if (spiked) r.lastSpike = count;
    if (spiked && r.spikeMinutes < 60) {
      r.peak *= this.peakDecay;
      r.minutes++;
      return;
    }
    const x = count;
    const d = Math.abs(x - r.ewma);
    r.ewma += this.alpha * (x - r.ewma);
    r.ewmad += this.alpha * (d - r.ewmad);
    r.peak = Math.max(r.peak * this.peakDecay, x);
    r.minutes++;
  }
}

const round = (n: number) => Math.round(n * 100) / 100;

/** The threshold at a sensitivity: the baseline plus the margin over it divided by the sensitivity. */
const limitOf = (r: RateState, sensitivity: number) => r.ewma + (r.threshold - r.ewma) / sensitivity;
