import type { UsageEvent } from './usage-event.js';
import type { Granularity, RollupDimension, RollupRow } from './usage-rollups.js';

/** A key's grants needed for a scope at a time (what the hygiene report judges privileges by). */
export interface ScopeUse {
  keyId: string;
  scope: string;
  ts: number;
}

/**
 * The storage port of usage: raw events, their roll-ups and the scopes keys exercised. Written
 * in batches by the usage recorder, read by analytics, the detectors' warm-up and hygiene.
 */
export interface UsageRepos {
  insertUsageEvents(events: readonly UsageEvent[]): Promise<void>;
  /** Adds counts and costs to the roll-ups (creating rows as needed). */
  addRollups(rows: readonly RollupRow[]): Promise<void>;
  /** Remembers that a key's grants were needed for these scopes at `ts` (the latest time wins). */
  touchScopeUsage(uses: readonly ScopeUse[]): Promise<void>;
  /** The scopes these keys exercised since `since`, with when last. */
  listScopeUsage(keyIds: readonly string[], since: number): Promise<{ keyId: string; scope: string; lastUsedAt: number }[]>;
  /** One subject's roll-up rows of one granularity with buckets in [from, to), oldest first. */
  queryRollups(q: {
    workspaceId: string;
    granularity: Granularity;
    dimension: RollupDimension;
    subject: string;
    from: number;
    to: number;
  }): Promise<RollupRow[]>;
  /** Subjects with the most verifications in [from, to), from the hourly roll-ups. */
  topSubjects(q: {
    workspaceId: string;
    dimension: 'key' | 'owner' | 'keyspace';
    from: number;
    to: number;
    outcome?: string | undefined;
    limit: number;
  }): Promise<{ subject: string; count: number; cost: number }[]>;
  /** Addresses or networks with the most verifications in [from, to), from the raw events. */
  topSources(q: {
    workspaceId: string;
    by: 'ip' | 'network';
    from: number;
    to: number;
    outcome?: string | undefined;
    limit: number;
  }): Promise<{ subject: string; count: number }[]>;
  /** A workspace's (or one key's) events in [from, to), newest first. */
  listUsageEvents(q: { workspaceId: string; keyId?: string | undefined; from: number; to: number; limit: number }): Promise<UsageEvent[]>;
  /** Events of every workspace in [from, to), oldest first, at most `limit` (for rebuilding detector profiles). */
  scanUsageEvents(from: number, to: number, limit: number): Promise<UsageEvent[]>;
  /** Deletes raw events before `before`, and roll-ups of a granularity whose bucket starts before its cut-off; answers how many events went. */
  purgeUsage(before: number, rollupsBefore: Record<Granularity, number>): Promise<number>;
}
