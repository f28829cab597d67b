import type { UsageEvent } from '../usage/usage-event.js';
import type { AnomalyDraft } from './anomaly-records.js';
import { num, type BenignFinding, type DetectionContext, type Detector, type TuningOf } from './detector.js';
import { FleetTally } from './fleet-tally.js';
import { FLEET_FAILURE_DEFAULTS, FLEET_OUTCOMES, type ClientAuthFailure, type FleetFailureOptions } from './fleet-failure-options.js';
import { clientAuthEvent, scopeKind, scopeLabel, scopeWhere, type FleetScope } from './fleet-scope.js';
import { HourPeaks } from './hour-peaks.js';
import { describeHourOfWeek, hourOfWeek } from './key-profile.js';

/** A scope's baseline: failures per minute and distinct sources per window, running and by hour. */
interface Baseline extends FleetScope {
  /** The last minute folded into the baseline. */
  folded: number;
  learned: number;
  failures: number;
  /** Distinct failing addresses in a window (a union: one client retrying all day counts once). */
  sources: number;
  /** The last `windowMinutes` folded minutes' failures, a ring, for window sums. */
  ring: Float32Array;
  /** Highest window sum in the hour being folded. */
  hourPeak: number;
  hourPeakSources: number;
  /** The highest window sums of each hour of the week, and of the day (nightly jobs). */
  weekly: HourPeaks;
  daily: HourPeaks;
  lastFiredAt: number;
}

/**
 * Failed verifications across the fleet: a workspace's, and each keyspace's, against their own
 * baseline. Finds guessing spread over many addresses (a couple of tries each, below every
 * per-address threshold), enumeration of a keyspace, and surges of distinct failing sources.
 * Counts per minute in a `FleetTally`, which nodes share through Redis when it is configured.
 */
export class FleetFailureDetector implements Detector {
  readonly name = 'fleet-failures';
  readonly kinds = ['fleet_failures'] as const;
  readonly tally = new FleetTally();
  private readonly scopes = new Map<string, Baseline>();
  private readonly dirty = new Set<string>();
  /** Workspace → its open incident and when it last fired. */
  private readonly incidents = new Map<string, { fingerprint: string; at: number; since: number }>();

  constructor(private readonly o: FleetFailureOptions = FLEET_FAILURE_DEFAULTS) {}

  observe(e: UsageEvent, ctx: DetectionContext): undefined {
    if (!FLEET_OUTCOMES.has(e.outcome) || e.deleted) return undefined;
    const live = ctx.replay !== true;
    this.count(`${e.workspaceId}|*`, e, null, live);
    if (e.keyspaceId !== null) this.count(`${e.workspaceId}|${e.keyspaceId}`, e, e.keyspaceId, live);
    return undefined;
  }

  /**
   * A failed client authentication at the token, introspection or revocation endpoint, counted
   * for the workspace's OAuth endpoints and for the client id it named (if any).
   */
  observeClientAuthFailure(f: ClientAuthFailure, live = true): void {
    const e = clientAuthEvent(f);
    this.count(`${f.workspaceId}|oauth`, e, null, live, '');
    if (f.clientId !== null) this.count(`${f.workspaceId}|oauth:${f.clientId}`, e, null, live, f.clientId);
  }

  /**
   * That volume was expected at that hour (a load test, a partner's misconfigured fleet): it
   * becomes the usual of the hour, by day and by week.
   */
  learn(f: BenignFinding): void {
    const scope = f.details.scope === 'oauth_client' ? `oauth:${f.subject}` : f.details.scope === 'oauth' ? 'oauth' : (f.keyspaceId ?? '*');
    const b = this.scopes.get(`${f.workspaceId}|${scope}`);
    const failures = f.details.failures;
    const sources = f.details.sources;
    if (b === undefined || typeof failures !== 'number' || typeof sources !== 'number') return;
    // The hour's whole peak when it is known (the finding counted only up to its threshold).
    const h = hourOfWeek(f.detectedAt);
    const current = hourOfWeek(b.folded * 60_000) === h;
    const peak = b.daily.peak(h % 24);
    b.weekly.teach(h, Math.max(failures, peak[0], current ? b.hourPeak : 0), Math.max(sources, peak[1], current ? b.hourPeakSources : 0));
    b.daily.teach(
      h % 24,
      Math.max(failures, peak[0], current ? b.hourPeak : 0),
      Math.max(sources, peak[1], current ? b.hourPeakSources : 0),
    );
  }

  /** Scopes this node has seen failures in lately: the ones it asks the shared counters about. */
  activeScopes(now: number): string[] {
    return this.tally.activeScopes(Math.floor(now / 60_000) - this.o.windowMinutes - 2);
  }

  /** The window (first and last minute) that ends at `now`. */
  window(now: number): [number, number] {
    const m = Math.floor(now / 60_000);
    return [m - this.o.windowMinutes + 1, m];
  }

  evaluate(now: number, tuning?: TuningOf): AnomalyDraft[] {
    const out: AnomalyDraft[] = [];
    const [from, to] = this.window(now);
    // Keyspaces first: their finding names the keyspace, and the workspace's joins its incident.
    const top = (s: string) => (s.endsWith('|*') || s.endsWith('|oauth') ? 1 : 0);
    const order = [...this.dirty].sort((a, b) => top(a) - top(b));
    this.dirty.clear();
    for (const scope of order) {
      const b = this.scopes.get(scope);
      if (b === undefined) continue;
      this.fold(scope, b, to - 2);
      const sensitivity = b.keyspaceId === null ? 1 : (tuning?.(b.keyspaceId)?.sensitivity ?? 1);
      const f = this.judge(scope, b, from, to, now, sensitivity);
      if (f !== undefined) out.push(f);
    }
    if (to % 10 === 0) this.tally.prune(to - this.o.windowMinutes - 5);
    return out;
  }

  private count(scope: string, e: UsageEvent, keyspaceId: string | null, live: boolean, oauthClient: string | null = null): void {
    if (!this.scopes.has(scope)) {
      if (this.scopes.size >= this.o.maxScopes) this.scopes.delete(this.scopes.keys().next().value!);
      const minute = Math.floor(e.ts / 60_000);
      this.scopes.set(scope, {
        workspaceId: e.workspaceId,
        keyspaceId,
        oauthClient,
        folded: minute - 1,
        learned: 0,
        failures: 0,
        sources: 0,
        ring: new Float32Array(this.o.windowMinutes),
        hourPeak: 0,
        hourPeakSources: 0,
        weekly: new HourPeaks(168),
        daily: new HourPeaks(24),
        lastFiredAt: -Infinity,
      });
    }
    this.tally.add(scope, e, live);
    this.dirty.add(scope);
  }

  /**
   * Folds the finished minutes up to `until` into the baseline: a running rate (capped, so an
   * attack does not teach it), and per hour of the week the highest window sum (nightly batches,
   * weekday rhythms), learned week over week unless the scope fired in that hour.
   */
  private fold(scope: string, b: Baseline, until: number): void {
    const w = this.o.windowMinutes;
    if (until - b.folded > 24 * 60) {
      // A long quiet gap: decay in one step instead of minute by minute.
      const k = until - b.folded - w;
      b.failures *= (1 - this.o.alpha) ** k;
      b.sources *= (1 - this.o.alpha) ** k;
      b.learned += k;
      b.ring.fill(0);
      b.folded = until - w;
    }
    const cap = (x: number) => Math.max(x, this.o.floorPerMinute) * 4 + 2;
    const incident = this.incidents.get(familyOf(b));
    for (let m = b.folded + 1; m <= until; m++) {
      const c = this.tally.minute(scope, m);
      // A workspace averages its first hour; a keyspace starts from the floor (its prior) and moves slowly.
      const a = b.keyspaceId === null && !b.oauthClient && b.learned < 60 ? 1 / (b.learned + 1) : this.o.alpha;
      const d = this.tally.windowSources(scope, m - w + 1, m);
      // A minute in a window judged high (an incident of the workspace under way) does not teach
      // the running baseline, capped or not — else a day of campaigns lifts it (a slow campaign
      // was found after 5 minutes for it) — unless the incident has lasted an hour: then it is
      // the new normal.
      const high = incident !== undefined && incident.at >= m * 60_000 && incident.at - m * 60_000 <= (w + 1) * 60_000;
      if (!high || incident.at - incident.since >= 60 * 60_000) {
        b.failures += a * (Math.min(c?.failures ?? 0, cap(b.failures)) - b.failures);
        b.sources += a * (Math.min(d, 2 * Math.max(b.sources, w * this.o.floorPerMinute) + 4) - b.sources);
      }
      b.ring[m % w] = c?.failures ?? 0;
      b.hourPeak = Math.max(b.hourPeak, sum(b.ring));
      b.hourPeakSources = Math.max(b.hourPeakSources, d);
      if ((m + 1) % 60 === 0) {
        if (b.learned >= 60) this.learnHour(b, m * 60_000);
        b.hourPeak = 0;
        b.hourPeakSources = 0;
      }
      b.learned++;
    }
    b.folded = Math.max(b.folded, until);
  }

  /** Learns an hour's highest window sums, by hour of the week and of the day. */
  private learnHour(b: Baseline, ts: number): void {
    const h = hourOfWeek(ts);
    b.weekly.push(h, b.hourPeak, b.hourPeakSources);
    b.daily.push(h % 24, b.hourPeak, b.hourPeakSources);
  }

  /**
   * The usual window sums for the hour of `now`: the highest of it and the hours either side, by
   * hour of the week and by hour of the day.
   */
  private usual(b: Baseline, now: number): [number, number] {
    const h = hourOfWeek(now);
    let f = 0;
    let s = 0;
    for (const x of [(h + 167) % 168, h, (h + 1) % 168])
      for (const [series, i] of [
        [b.weekly, x],
        [b.daily, x % 24],
      ] as const) {
        const u = series.usual(i);
        if (u === undefined) continue;
        f = Math.max(f, u[0]);
        s = Math.max(s, u[1]);
      }
    return [f, s];
  }

  private judge(scope: string, b: Baseline, from: number, to: number, now: number, sensitivity: number): AnomalyDraft | undefined {
    // A keyspace's first failures are judged against the floor once its workspace has been watched.
    const parent = b.oauthClient === null ? `${b.workspaceId}|*` : `${b.workspaceId}|oauth`;
    const watched = b.keyspaceId === null && !b.oauthClient ? b.learned : (this.scopes.get(parent)?.learned ?? 0);
    if (watched < this.o.learnMinutes || now - b.lastFiredAt < this.o.repeatEveryMs) return undefined;
    let failures = 0;
    const outcomes: Record<string, number> = {};
    const perMinute: number[] = [];
    for (let m = from; m <= to; m++) {
      const c = this.tally.minute(scope, m);
      perMinute.push(c?.failures ?? 0);
      if (c === undefined) continue;
      failures += c.failures;
      for (const [k, v] of Object.entries(c.outcomes)) outcomes[k] = (outcomes[k] ?? 0) + v;
    }
    const sources = this.tally.windowSources(scope, from, to);
    const h = hourOfWeek(now);
    const [seasonal, seasonalSources] = this.usual(b, now);
    const w = this.o.windowMinutes;
    const expected = Math.max(w * Math.max(b.failures, this.o.floorPerMinute), seasonal);
    const expectedSources = Math.max(b.sources, w * this.o.floorPerMinute, seasonalSources);
    // A keyspace's sensitivity divides the margin over the usual.
    const over = (x: number, mu: number, sigmas: number, minExcess: number) => x >= mu + (sigmas * Math.sqrt(mu) + minExcess) / sensitivity;
    // One address alone is the per-address detector's: the fleet view is for spread guessing.
    const byRate = sources >= this.o.minSources && over(failures, expected, this.o.sigmas, this.o.minExcess);
    const bySources = over(sources, expectedSources, this.o.sourceSigmas, this.o.sourceMinExcess);
    if (!byRate && !bySources) return undefined;
    b.lastFiredAt = now;
    const where = scopeWhere(b);
    const label = scopeLabel(b);
    const outcomeList = Object.entries(outcomes)
      .sort((x, y) => y[1] - x[1])
      .map(([k, v]) => `${num(v)} ${k}`)
      .join(', ');
    // One incident while the workspace stays high (a gap of a window ends it): its repeats, and
    // another scope of the workspace firing meanwhile, count on the first finding.
    const family = familyOf(b);
    const incident = this.incidents.get(family);
    const open = incident !== undefined && now - incident.at <= (w + 1) * 60_000;
    const fingerprint = open ? incident.fingerprint : `fleet_failures|${b.workspaceId}|${label}|${to}`;
    this.incidents.set(family, { fingerprint, at: now, since: open ? incident.since : now });
    const firstMinute = perMinute.findIndex((n, i) => n > 0 && perMinute.slice(i).every((x) => x > 0));
    return {
      kind: 'fleet_failures',
      severity: 'high',
      workspaceId: b.workspaceId,
      keyId: null,
      keyspaceId: b.keyspaceId,
      subject: b.oauthClient || (b.keyspaceId ?? b.workspaceId),
      explanation:
        `${where} had ${num(failures)} failed verifications (${outcomeList}) from ${num(sources)} addresses in the last ${w} minutes, ` +
        `against a usual ${num(expected)} failures from ${num(expectedSources)} addresses for ${describeHourOfWeek(h)}: ` +
        `${sources > 3 ? 'guessing spread over many sources, each below the per-address thresholds' : 'a slow, steady guessing or enumeration'}.`,
      details: {
        scope: scopeKind(b),
        trigger: byRate && bySources ? 'failures_and_sources' : byRate ? 'failures' : 'sources',
        windowMinutes: w,
        failures,
        expectedFailures: round(expected),
        sources,
        expectedSources: round(expectedSources),
        outcomes,
        perMinute,
        sampleSources: this.tally.sampleSources(scope, from, to, 10),
        baselineMinutes: b.learned,
        ...(sensitivity !== 1 && { sensitivity }),
      },
      firstEventAt: (from + Math.max(0, firstMinute)) * 60_000,
      detectedAt: now,
      fingerprint,
    };
  }
}

const round = (x: number) => Math.round(x * 10) / 10;

/** A workspace's scopes that make one incident: its key verifications', or its OAuth endpoints'. */
const familyOf = (b: FleetScope) => `${b.workspaceId}|${b.oauthClient === null ? 'keys' : 'oauth'}`;

function sum(xs: Float32Array): number {
  let n = 0;
  for (const x of xs) n += x;
  return n;
}
