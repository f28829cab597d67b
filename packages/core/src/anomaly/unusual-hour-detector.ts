import { LIVE_OUTCOMES, type UsageEvent } from '../usage/usage-event.js';
import { finding, num, type BenignFinding, type DetectionContext, type Detector } from './detector.js';
import type { AnomalyDraft } from './anomaly-records.js';
import { isQuietHour } from './detection-tuning.js';
import { describeHourOfWeek, hourOfWeek, minuteUtc, type KeyProfile } from './key-profile.js';

export interface UnusualHourOptions {
  /** A key is judged on its own hours after a full week of history… */
  minAgeMs: number;
  /** …and this many uses (so an empty hour means something). */
  minEvents: number;
  /** A younger key is judged on its owner's (else its keyspace's) hours once it is this old… */
  youngMinAgeMs: number;
  /** …and has this many uses; the group itself needs `minAgeMs` and `minEvents`. */
  youngMinEvents: number;
  /** Groups (owners, keyspaces) kept at most. */
  maxGroups: number;
}

export const UNUSUAL_HOUR_DEFAULTS: UnusualHourOptions = {
  minAgeMs: 7 * 86_400_000,
  minEvents: 500,
  youngMinAgeMs: 12 * 3_600_000,
  youngMinEvents: 20,
  maxGroups: 100_000,
};

/** The hours of the week the keys of one owner (or one keyspace) are used in: a young key's prior. */
interface Group {
  firstSeenAt: number;
  events: number;
  hours: Uint32Array;
}

const quietAt = (hours: Uint32Array, h: number) => hours[h] === 0 && hours[(h + 167) % 168] === 0 && hours[(h + 1) % 168] === 0;

/**
 * Use at an hour of the week the key has never been active in, nor in the hour on either side
 * (a working day that starts a little early is not an anomaly; 03:00 on a Sunday for an
 * office-hours key is). A key younger than a week is judged against its owner's keys (else its
 * keyspace's), so a three-day-old key of an office-hours service is judged already.
 */
export class UnusualHourDetector implements Detector {
  readonly name = 'unusual-hour';
  readonly kinds = ['unusual_hour'] as const;
  private readonly groups = new Map<string, Group>();
  /** Key → when it last raised a finding: its uses for two hours after do not teach its groups. */
  private readonly flagged = new Map<string, number>();

  constructor(private readonly o: UnusualHourOptions = UNUSUAL_HOUR_DEFAULTS) {}

  observe(e: UsageEvent, ctx: DetectionContext): AnomalyDraft | undefined {
    const p = ctx.profile;
    if (p === undefined || !LIVE_OUTCOMES.has(e.outcome)) return undefined;
    const h = hourOfWeek(e.ts);
    const owner = e.ownerId === null || e.keyspaceId === null ? undefined : this.group(`${e.keyspaceId}|${e.ownerId}`, e.ts);
    const keyspace = e.keyspaceId === null ? undefined : this.group(`${e.keyspaceId}|*`, e.ts);
    const quiet = quietAt(p.hours, h);
    const age = e.ts - p.firstSeenAt;
    const mature = age >= this.o.minAgeMs && p.events >= this.o.minEvents;
    const prior = mature || age < this.o.youngMinAgeMs || p.events < this.o.youngMinEvents ? undefined : this.prior(owner, keyspace, e.ts);
    const judged = mature || (prior !== undefined && quietAt(prior.hours, h));
    // The keyspace's quiet hours (its policy): any use then is suspicious, whatever the key's history.
    const hod = h % 24;
    const byPolicy = ctx.tuning !== undefined && isQuietHour(ctx.tuning, hod) && (p.quietHoursAllowed & (1 << hod)) === 0;
    p.hours[h]!++;
    // A thief's night of use must not teach the owner's other (young) keys that nights are normal.
    const at = this.flagged.size === 0 ? undefined : this.flagged.get(e.keyId!);
    const suspect = byPolicy || (quiet && judged) || (at !== undefined && e.ts - at < 2 * 3_600_000);
    if (!suspect) {
      if (owner !== undefined) owner.hours[h]!++;
      if (keyspace !== undefined) keyspace.hours[h]!++;
    }
    if (!byPolicy && (!quiet || !judged)) return undefined;
    if (this.flagged.size >= this.o.maxGroups) this.flagged.delete(this.flagged.keys().next().value!);
    this.flagged.set(e.keyId!, e.ts);
    const active = p.hours.reduce((n, c) => n + (c > 0 ? 1 : 0), 0) - 1;
    const days = num(age / 86_400_000);
    const explanation = byPolicy
      ? `Key ${e.keyId} was used at ${minuteUtc(e.ts)}, in ${describeHourOfWeek(h)}: its keyspace's policy marks ${String(hod).padStart(2, '0')}:00–${String((hod + 1) % 24).padStart(2, '0')}:00 UTC a quiet hour, when its keys are not used.`
      : prior === undefined
        ? `Key ${e.keyId} was used at ${minuteUtc(e.ts)}, in ${describeHourOfWeek(h)}, when in ${days} days and ${num(p.events)} uses it had been active in ${active} of the 168 hours of the week but never in this one or the next to it.`
        : `Key ${e.keyId} was used at ${minuteUtc(e.ts)}, in ${describeHourOfWeek(h)}: in its ${days} days it was never used then, nor were the other keys of its ${prior.of} in ${num(prior.events)} uses over ${num((e.ts - prior.firstSeenAt) / 86_400_000)} days.`;
    return finding(e, ctx, {
      kind: 'unusual_hour',
      severity: 'medium',
      subject: e.keyId!,
      explanation,
      details: {
        hourOfWeek: h,
        activeHours: active,
        uses: p.events,
        ...(byPolicy ? { judgedBy: 'quiet_hours', quietHour: hod } : prior !== undefined && { judgedBy: prior.of }),
      },
      fingerprint: `unusual_hour|${e.keyId}|${h}`,
    });
  }

  /** The key works at that hour: it is learned as one of its active hours. */
  learn(f: BenignFinding, p: KeyProfile | undefined): void {
    const h = f.details.hourOfWeek;
    if (p !== undefined && typeof h === 'number' && h >= 0 && h < 168) p.hours[h]!++;
    // A use in a quiet hour that was the key's own: that hour no longer counts as quiet for it.
    const q = f.details.quietHour;
    if (p !== undefined && typeof q === 'number' && q >= 0 && q < 24) p.quietHoursAllowed |= 1 << q;
  }

  /** The owner's keys when they have a week of use, else the keyspace's. */
  private prior(owner: Group | undefined, keyspace: Group | undefined, ts: number): (Group & { of: 'owner' | 'keyspace' }) | undefined {
    const ready = (g: Group | undefined) => g !== undefined && ts - g.firstSeenAt >= this.o.minAgeMs && g.events >= this.o.minEvents;
    if (ready(owner)) return { ...owner!, of: 'owner' };
    if (ready(keyspace)) return { ...keyspace!, of: 'keyspace' };
    return undefined;
  }

  private group(id: string, ts: number): Group {
    let g = this.groups.get(id);
    if (g === undefined) {
      if (this.groups.size >= this.o.maxGroups) this.groups.delete(this.groups.keys().next().value!);
      g = { firstSeenAt: ts, events: 0, hours: new Uint32Array(168) };
      this.groups.set(id, g);
    }
    g.events++;
    return g;
  }
}
