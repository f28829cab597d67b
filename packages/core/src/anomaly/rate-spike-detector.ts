import { LIVE_OUTCOMES, type UsageEvent } from '../usage/usage-event.js';
import { finding, num, type BenignFinding, type DetectionContext, type Detector } from './detector.js';
import type { AnomalyDraft } from './anomaly-records.js';
import { minuteUtc, seasonalSlot, type KeyProfile, type RateState } from './key-profile.js';
import { RATE_HOT_SHARE, RateShare } from './rate-share.js';

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
  /**
   * Minutes of history after which the key's peak is seasonal: that of the hour of the day (and
   * the hours either side), weekdays and weekends apart, so a nightly batch does not make the
   * same rate usual at noon.
   */
  seasonalMinutes: number;
  /** With seasonal peaks, this share of the key's overall peak still counts at every hour. */
  seasonalFloor: number;
}

export const RATE_SPIKE_DEFAULTS: RateSpikeOptions = {
  minCount: 30,
  ratio: 6,
  deviations: 8,
  peakFactor: 2,
  minMinutes: 120,
  spanMinutes: 60,
  peakHalfLifeMinutes: 3 * 1440,
  seasonalMinutes: 7 * 1440,
  seasonalFloor: 0.25,
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
  /** Set when nodes share detection state: a key busy on this node is judged on every node's uses. */
  private shared: RateShare | undefined;

  constructor(private readonly o: RateSpikeOptions = RATE_SPIKE_DEFAULTS) {
    this.alpha = 2 / (o.spanMinutes + 1);
    this.peakDecay = 0.5 ** (1 / o.peakHalfLifeMinutes);
  }

  /**
   * Judges on the uses of every node (Redis): the baseline is kept in the fleet's terms, and a key
   * busy on this node is counted with the other nodes (`RateShare`), so a spike split over nodes
   * is seen whole. Each node that sees it raises it; the anomaly service lets one record it.
   */
  share(): RateShare {
    return (this.shared ??= new RateShare());
  }

  observe(e: UsageEvent, ctx: DetectionContext): AnomalyDraft | undefined {
    const p = ctx.profile;
    if (p === undefined || !LIVE_OUTCOMES.has(e.outcome)) return undefined;
    const r = p.rate;
    const minute = Math.floor(e.ts / 60_000);
    if (r.minute === -1) r.minute = minute;
    const shared = this.shared;
    if (minute > r.minute) {
      const last = shared?.get(e.keyId!, r.minute);
      this.close(r, last === undefined ? r.count : RateShare.total(last), r.minute);
      const idle = Math.min(minute - r.minute - 1, 1440);
      for (let i = 0; i < idle; i++) this.close(r, 0, r.minute + 1 + i);
      r.minute = minute;
      r.count = 0;
      r.here = 0;
      r.fired = false;
      r.threshold = r.minutes >= this.o.minMinutes ? this.threshold(r) : Infinity;
    }
    if (shared === undefined || ctx.replay === true) r.count++;
    else {
      // Live, shared: this node sees a share of the key's uses; the baseline counts the fleet's.
      r.count += shared.scale;
      r.here++;
      shared.use(minute);
    }
    if (r.fired) return undefined;
    // A keyspace's sensitivity scales the margin over the baseline (2: half of it).
    const limit = ctx.tuning === undefined ? r.threshold : limitOf(r, ctx.tuning.sensitivity);
    let count = r.count;
    let hot;
    if (shared !== undefined && ctx.replay !== true) {
      hot = shared.get(e.keyId!, minute);
      if (hot !== undefined) hot.here++;
      else if (r.count > RATE_HOT_SHARE * limit) hot = shared.heat(e.keyId!, minute, r.here);
      // Judged on counted uses, never on the estimate: every node's for a hot key, else this node's.
      count = hot === undefined ? r.here : RateShare.total(hot);
    }
    if (count <= limit) return undefined;
    r.fired = true;
    return finding(e, ctx, {
      kind: 'rate_spike',
      severity: 'high',
      subject: e.keyId!,
      explanation: `Key ${e.keyId} made ${num(count)} verifications in the minute from ${minuteUtc(minute * 60_000)}${hot === undefined ? '' : ' across the nodes'}, ${num(count / Math.max(r.ewma, 0.1))}× its usual ${num(r.ewma)} per minute (threshold ${num(limit)}${limit === r.threshold ? '' : `, keyspace sensitivity ${num(ctx.tuning!.sensitivity)}`}).`,
      details: {
        count,
        ...(hot !== undefined && { acrossNodes: true }),
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
    // …and the usual of its hour, at once (not after two days).
    const minute = Math.floor(f.detectedAt / 60_000);
    this.season(r, minute, 0);
    const i = 3 * seasonalSlot(minute);
    const s = r.seasonal!;
    s[i] = s[i + 1] = s[i + 2] = Math.min(Math.max(r.peak, s[i]!, s[i + 2]!), 65_535);
    if (r.minutes >= this.o.minMinutes) r.threshold = Math.max(r.threshold, this.threshold(r));
  }

  private threshold(r: RateState): number {
    const o = this.o;
    return Math.max(o.minCount, o.ratio * r.ewma, r.ewma + o.deviations * 1.4826 * r.ewmad, o.peakFactor * this.peakNow(r));
  }

  /**
   * The peak the minute being judged is held to: the key's own, raised to the usual of its hour
   * of the day; with a week of history, that usual alone (and a share of the key's own), so a
   * nightly batch makes its rate usual at night but not at noon.
   */
  private peakNow(r: RateState): number {
    if (r.seasonal === undefined) return r.peak;
    const i = seasonalSlot(r.minute);
    const base = i - (i % 24);
    const day = Math.floor(r.minute / 1440);
    const hour = Math.max(usualAt(r, base + ((i + 23) % 24), day), usualAt(r, i, day), usualAt(r, base + ((i + 1) % 24), day));
    return r.minutes < this.o.seasonalMinutes ? Math.max(r.peak, hour) : Math.max(hour, r.peak * this.o.seasonalFloor);
  }

  /** Counts a minute in its hour's seasonal peaks (spiked or not: a rate seen two days running at an hour is usual there). */
  private season(r: RateState, minute: number, count: number): void {
    r.seasonal ??= new Uint16Array(144);
    r.seasonalDay ??= new Uint16Array(48);
    const i = seasonalSlot(minute);
    const day = Math.floor(minute / 1440);
    const s = r.seasonal;
    const c = Math.min(count, 65_535);
    const seen = r.seasonalDay[i]!;
    if (seen !== day) {
      // A new day for this slot: the day under way becomes the last one, if it was recent.
      const recent = seen !== 0 && day - seen <= SEASON_DAYS;
      s[3 * i + 1] = recent ? s[3 * i]! : 0;
      s[3 * i] = recent ? s[3 * i + 2]! : 0;
      s[3 * i + 2] = 0;
      r.seasonalDay[i] = day;
    }
    if (c > s[3 * i + 2]!) s[3 * i + 2] = c;
  }

  private close(r: RateState, count: number, minute: number): void {
    if (count > 0) this.season(r, minute, count);
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

/** A slot's last day counts for this many days. */
const SEASON_DAYS = 8;

/** The usual peak of a seasonal slot: the lower of its last two days (a one-off is not usual), while recent, faded by age. */
function usualAt(r: RateState, slot: number, day: number): number {
  const s = r.seasonal!;
  const seen = r.seasonalDay![slot]!;
  if (seen === 0 || day - seen > SEASON_DAYS) return 0;
  // Today's running peak stands for the last day only once the slot's day has moved on; a past
  // day's peak fades as the key's own peak does, a little slower (half-life a week).
  return seen === day
    ? Math.min(s[3 * slot]!, s[3 * slot + 1]!) * SEASON_DECAY
    : Math.min(s[3 * slot + 2]!, s[3 * slot]!) * SEASON_DECAY ** (day - seen);
}

/** A seasonal peak's weight a day on. */
const SEASON_DECAY = 0.5 ** (1 / 7);

/** The threshold at a sensitivity: the baseline plus the margin over it divided by the sensitivity. */
const limitOf = (r: RateState, sensitivity: number) => r.ewma + (r.threshold - r.ewma) / sensitivity;
