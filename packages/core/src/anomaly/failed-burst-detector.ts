import { FAILED_OUTCOMES, type UsageEvent } from '../usage/usage-event.js';
import { finding, num, type BenignFinding, type DetectionContext, type Detector } from './detector.js';
import type { AnomalyDraft } from './anomaly-records.js';
import { BurstShare } from './burst-share.js';
import type { TuningOf } from './detector.js';

export interface FailedBurstOptions {
  /** Failed verifications (MALFORMED, NOT_FOUND) from one source… */
  threshold: number;
  /** …within this window (ms) raise a finding. */
  windowMs: number;
  /** Sources tracked at most (the oldest are forgotten first). */
  maxSources: number;
}

export const FAILED_BURST_DEFAULTS: FailedBurstOptions = { threshold: 15, windowMs: 60_000, maxSources: 100_000 };

/** Failures from an address within the window that make it shared with the other nodes. */
const HOT = 3;

interface Source {
  /** Times of the last `threshold` failures, a ring. */
  times: number[];
  next: number;
  notFound: number;
  malformed: number;
}

/** Bursts of failed verifications from one address: brute force, credential stuffing. */
export class FailedBurstDetector implements Detector {
  readonly name = 'failed-burst';
  readonly kinds = ['failed_burst'] as const;
  private readonly sources = new Map<string, Source>();
  /** Sources whose bursts were resolved as benign (a monitor that probes with a wrong key). */
  private readonly benign = new Set<string>();
  /** Set when nodes share detection state: addresses are judged on every node's counts (`evaluate`). */
  private shared: BurstShare | undefined;

  constructor(private readonly o: FailedBurstOptions = FAILED_BURST_DEFAULTS) {}

  /**
   * Judges on the counts of every node (Redis): a burst split over nodes is seen whole, and its
   * finding comes from `evaluate`, after the counts are merged, claimed by one node.
   */
  share(): BurstShare {
    return (this.shared ??= new BurstShare());
  }

  observe(e: UsageEvent, ctx: DetectionContext): AnomalyDraft | undefined {
    if (e.ip === null || !FAILED_OUTCOMES.has(e.outcome) || e.deleted) return undefined;
    const id = `${e.workspaceId}|${e.ip}`;
    if (this.benign.size > 0 && this.benign.has(id)) return undefined;
    let s = this.sources.get(id);
    if (s === undefined) {
      if (this.sources.size >= this.o.maxSources) this.sources.delete(this.sources.keys().next().value!);
      s = { times: [], next: 0, notFound: 0, malformed: 0 };
    } else this.sources.delete(id);
    this.sources.set(id, s); // most recently active last
    if (s.times.length < this.o.threshold) s.times.push(e.ts);
    else s.times[s.next] = e.ts;
    s.next = (s.next + 1) % this.o.threshold;
    if (e.outcome === 'NOT_FOUND') s.notFound++;
    else s.malformed++;
    if (this.shared !== undefined) {
      // Shared: an address failing a few times within the window here is counted with the other nodes.
      if (ctx.replay !== true && (this.shared.has(id) || this.hotHere(s, e.ts)))
        this.shared.note(
          id,
          e,
          s.times.filter((t) => e.ts - t <= this.o.windowMs),
        );
      return undefined;
    }
    if (s.times.length < this.o.threshold) return undefined;
    const oldest = s.times[s.next % s.times.length]!;
    const span = e.ts - oldest;
    // A keyspace's sensitivity stretches the window (2: the same failures within twice as long).
    if (span > this.o.windowMs * (ctx.tuning?.sensitivity ?? 1)) return undefined;
    const fingerprint = `failed_burst|${id}`;
    // Every failure past the threshold fires: once the burst's finding is open, it is only counted.
    if (ctx.repeatIfOpen?.(fingerprint, e.ts) === true) return undefined;
    return finding(e, ctx, {
      kind: 'failed_burst',
      severity: 'high',
      subject: e.ip,
      explanation: `Source ${e.ip} failed ${this.o.threshold} verifications within ${num(span / 1000)} s (${num(s.notFound)} unknown and ${num(s.malformed)} malformed keys so far), a brute-force or credential-stuffing pattern.`,
      details: { failures: this.o.threshold, windowSeconds: span / 1000, notFound: s.notFound, malformed: s.malformed },
      fingerprint,
    });
  }

  /** Whether an address failed at least `HOT` times here within the window. */
  private hotHere(s: Source, ts: number): boolean {
    if (s.times.length < HOT) return false;
    const third = s.times[(s.next - HOT + s.times.length) % s.times.length]!;
    return ts - third <= this.o.windowMs;
  }

  /** With shared counts: judges the hot addresses on every node's failures of the last minute. */
  evaluate(now: number, tuning?: TuningOf): AnomalyDraft[] {
    const shared = this.shared;
    if (shared === undefined) return [];
    const out: AnomalyDraft[] = [];
    for (const id of shared.sources(now, this.o.windowMs)) {
      if (this.benign.has(id)) continue;
      const r = shared.recent(id, now);
      if (r === undefined) continue;
      const { count, hot } = r;
      const sensitivity = hot.keyspaceId === null ? 1 : (tuning?.(hot.keyspaceId)?.sensitivity ?? 1);
      if (count * sensitivity < this.o.threshold) continue;
      out.push({
        kind: 'failed_burst',
        severity: 'high',
        workspaceId: hot.workspaceId,
        keyId: null,
        keyspaceId: hot.keyspaceId,
        subject: hot.ip,
        explanation: `Source ${hot.ip} failed ${num(Math.round(count))} verifications in the last minute across the nodes (${num(hot.notFound)} unknown and ${num(hot.malformed)} malformed keys on this node so far), a brute-force or credential-stuffing pattern.`,
        details: {
          failures: Math.round(count),
          windowSeconds: this.o.windowMs / 1000,
          notFound: hot.notFound,
          malformed: hot.malformed,
          acrossNodes: true,
          ip: hot.ip,
          network: hot.network,
        },
        firstEventAt: Math.max(hot.first, now - this.o.windowMs),
        detectedAt: now,
        fingerprint: `failed_burst|${hot.workspaceId}|${hot.ip}`,
      });
    }
    return out;
  }

  /** The source's failures are expected: it is not judged again (until the node restarts). */
  learn(f: BenignFinding): void {
    if (this.benign.size >= this.o.maxSources) this.benign.delete(this.benign.values().next().value!);
    this.benign.add(`${f.workspaceId}|${f.subject}`);
  }
}
