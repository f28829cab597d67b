import { workspaceOf } from '../audit/actor-workspace.js';
import type { Actor } from '../audit/audit-chain.js';
import type { Clock } from '../clock.js';
import { TesseraError } from '../errors.js';
import type { Repos } from '../store/store.js';
import type { UsageEvent } from './usage-event.js';
import type { UsageRepos } from './usage-repos.js';
import { bucketOf, GRANULARITIES, type Granularity, type RollupDimension } from './usage-rollups.js';

export interface SeriesPoint {
  time: number;
  total: number;
  valid: number;
  cost: number;
  /** Count per verify code, only codes that occurred. */
  outcomes: Record<string, number>;
}

export interface RetentionPolicy {
  /** Raw usage events are kept this long (ms)… */
  eventsMs: number;
  /** …and roll-ups of each granularity this long. */
  rollupsMs: Record<Granularity, number>;
}

const DAY = 86_400_000;
export const DEFAULT_RETENTION: RetentionPolicy = {
  eventsMs: 30 * DAY,
  rollupsMs: { minute: 2 * DAY, hour: 90 * DAY, day: 2 * 366 * DAY },
};

/** At most this many points in one series. */
export const MAX_POINTS = 2000;

/** Usage analytics over the roll-ups (series, top-N) and the raw events. */
export class AnalyticsService {
  constructor(
    private readonly deps: { store: UsageRepos & Pick<Repos, 'getKey' | 'getKeyspace'>; clock: Clock },
    readonly retention: RetentionPolicy = DEFAULT_RETENTION,
  ) {}

  async verifications(
    actor: Actor,
    q: {
      keyId?: string | undefined;
      ownerId?: string | undefined;
      keyspaceId?: string | undefined;
      from: number;
      to: number;
      granularity: Granularity;
    },
  ): Promise<{ dimension: RollupDimension; subject: string; series: SeriesPoint[]; totals: Omit<SeriesPoint, 'time'> }> {
    const workspaceId = workspaceOf(actor);
    const named = [q.keyId, q.ownerId, q.keyspaceId].filter((v) => v !== undefined).length;
    if (named > 1) throw new TesseraError('VALIDATION_FAILED', 'Give at most one of keyId, ownerId, keyspaceId.');
    let dimension: RollupDimension = 'workspace';
    let subject = workspaceId;
    if (q.keyId !== undefined) {
      const key = await this.deps.store.getKey(q.keyId);
      if (key === undefined || key.workspaceId !== workspaceId) throw new TesseraError('NOT_FOUND', 'No such key.');
      [dimension, subject] = ['key', q.keyId];
    } else if (q.keyspaceId !== undefined) {
      const ks = await this.deps.store.getKeyspace(q.keyspaceId);
      if (ks === undefined || ks.workspaceId !== workspaceId) throw new TesseraError('NOT_FOUND', 'No such keyspace.');
      [dimension, subject] = ['keyspace', q.keyspaceId];
    } else if (q.ownerId !== undefined) [dimension, subject] = ['owner', q.ownerId];
    const size = GRANULARITIES[q.granularity];
    const from = bucketOf(q.from, q.granularity);
    if (q.to <= q.from) throw new TesseraError('VALIDATION_FAILED', 'to must be after from.');
    if ((q.to - from) / size >= MAX_POINTS)
      throw new TesseraError('VALIDATION_FAILED', `At most ${MAX_POINTS} points: choose a coarser granularity or a shorter range.`);
    // Every bucket that overlaps [from, to], the one holding `to` included.
    const rows = await this.deps.store.queryRollups({ workspaceId, granularity: q.granularity, dimension, subject, from, to: q.to + 1 });
    const points = new Map<number, SeriesPoint>();
    for (let t = from; t <= q.to; t += size) points.set(t, { time: t, total: 0, valid: 0, cost: 0, outcomes: {} });
    const totals = { total: 0, valid: 0, cost: 0, outcomes: {} as Record<string, number> };
    for (const r of rows) {
      const p = points.get(r.bucket);
      if (p === undefined) continue;
      for (const acc of [p, totals]) {
        acc.total += r.count;
        acc.cost += r.cost;
        if (r.outcome === 'VALID') acc.valid += r.count;
        acc.outcomes[r.outcome] = (acc.outcomes[r.outcome] ?? 0) + r.count;
      }
    }
    return { dimension, subject, series: [...points.values()], totals };
  }

  /** The subjects with the most verifications: keys, owners, keyspaces (roll-ups) or addresses and networks (raw events). */
  async top(
    actor: Actor,
    q: { by: 'key' | 'owner' | 'keyspace' | 'ip' | 'network'; from: number; to: number; outcome?: string | undefined; limit: number },
  ): Promise<{ subject: string; count: number; cost?: number }[]> {
    const workspaceId = workspaceOf(actor);
    if (q.to <= q.from) throw new TesseraError('VALIDATION_FAILED', 'to must be after from.');
    if (q.by === 'ip' || q.by === 'network')
      return this.deps.store.topSources({ workspaceId, by: q.by, from: q.from, to: q.to, outcome: q.outcome, limit: q.limit });
    return this.deps.store.topSubjects({
      workspaceId,
      dimension: q.by,
      from: bucketOf(q.from, 'hour'),
      to: q.to,
      outcome: q.outcome,
      limit: q.limit,
    });
  }

  /** Recent raw events of the workspace or one key, newest first. */
  async events(actor: Actor, q: { keyId?: string | undefined; from: number; to: number; limit: number }): Promise<UsageEvent[]> {
    return this.deps.store.listUsageEvents({ ...q, workspaceId: workspaceOf(actor) });
  }

  /** Deletes what is past its retention; answers how many raw events went. */
  async purge(): Promise<number> {
    const now = this.deps.clock.now();
    const r = this.retention.rollupsMs;
    return this.deps.store.purgeUsage(now - this.retention.eventsMs, { minute: now - r.minute, hour: now - r.hour, day: now - r.day });
  }
}
