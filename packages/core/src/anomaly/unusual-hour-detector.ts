import { LIVE_OUTCOMES, type UsageEvent } from '../usage/usage-event.js';
import { finding, num, type DetectionContext, type Detector } from './detector.js';
import type { AnomalyDraft } from './anomaly-records.js';
import { describeHourOfWeek, hourOfWeek, minuteUtc } from './key-profile.js';

export interface UnusualHourOptions {
  /** A key is judged after a full week of history… */
  minAgeMs: number;
  /** …and this many uses (so an empty hour means something). */
  minEvents: number;
}

export const UNUSUAL_HOUR_DEFAULTS: UnusualHourOptions = { minAgeMs: 7 * 86_400_000, minEvents: 500 };

/**
 * Use at an hour of the week the key has never been active in, nor in the hour on either side
 * (a working day that starts a little early is not an anomaly; 03:00 on a Sunday for an
 * office-hours key is).
 */
export class UnusualHourDetector implements Detector {
  readonly name = 'unusual-hour';
  readonly kinds = ['unusual_hour'] as const;

  constructor(private readonly o: UnusualHourOptions = UNUSUAL_HOUR_DEFAULTS) {}

  observe(e: UsageEvent, ctx: DetectionContext): AnomalyDraft | undefined {
    const p = ctx.profile;
    if (p === undefined || !LIVE_OUTCOMES.has(e.outcome)) return undefined;
    const h = hourOfWeek(e.ts);
    const quiet = p.hours[h] === 0 && p.hours[(h + 167) % 168] === 0 && p.hours[(h + 1) % 168] === 0;
    const mature = e.ts - p.firstSeenAt >= this.o.minAgeMs && p.events >= this.o.minEvents;
    p.hours[h]!++;
    if (!quiet || !mature) return undefined;
    const active = p.hours.reduce((n, c) => n + (c > 0 ? 1 : 0), 0) - 1;
    return finding(e, ctx, {
      kind: 'unusual_hour',
      severity: 'medium',
      subject: e.keyId!,
      explanation: `Key ${e.keyId} was used at ${minuteUtc(e.ts)}, in ${describeHourOfWeek(h)}, when in ${num((e.ts - p.firstSeenAt) / 86_400_000)} days and ${num(p.events)} uses it had been active in ${active} of the 168 hours of the week but never in this one or the next to it.`,
      details: { hourOfWeek: h, activeHours: active, uses: p.events },
      fingerprint: `unusual_hour|${e.keyId}|${h}`,
    });
  }
}
