import { FAILED_OUTCOMES, type UsageEvent } from '../usage/usage-event.js';
import { finding, num, type BenignFinding, type DetectionContext, type Detector } from './detector.js';
import type { AnomalyDraft } from './anomaly-records.js';

export interface FailedBurstOptions {
  /** Failed verifications (MALFORMED, NOT_FOUND) from one source… */
  threshold: number;
  /** …within this window (ms) raise a finding. */
  windowMs: number;
  /** Sources tracked at most (the oldest are forgotten first). */
  maxSources: number;
}

export const FAILED_BURST_DEFAULTS: FailedBurstOptions = { threshold: 15, windowMs: 60_000, maxSources: 100_000 };

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

  constructor(private readonly o: FailedBurstOptions = FAILED_BURST_DEFAULTS) {}

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
    if (s.times.length < this.o.threshold) return undefined;
    const oldest = s.times[s.next % s.times.length]!;
    const span = e.ts - oldest;
    // A keyspace's sensitivity stretches the window (2: the same failures within twice as long).
    if (span > this.o.windowMs * (ctx.tuning?.sensitivity ?? 1)) return undefined;
    return finding(e, ctx, {
      kind: 'failed_burst',
      severity: 'high',
      subject: e.ip,
      explanation: `Source ${e.ip} failed ${this.o.threshold} verifications within ${num(span / 1000)} s (${num(s.notFound)} unknown and ${num(s.malformed)} malformed keys so far), a brute-force or credential-stuffing pattern.`,
      details: { failures: this.o.threshold, windowSeconds: span / 1000, notFound: s.notFound, malformed: s.malformed },
      fingerprint: `failed_burst|${e.workspaceId}|${e.ip}`,
    });
  }

  /** The source's failures are expected: it is not judged again (until the node restarts). */
  learn(f: BenignFinding): void {
    if (this.benign.size >= this.o.maxSources) this.benign.delete(this.benign.values().next().value!);
    this.benign.add(`${f.workspaceId}|${f.subject}`);
  }
}
