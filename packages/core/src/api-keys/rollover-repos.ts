/** How an open rollover ended: its predecessor went quiet, reached the deadline, or was revoked by hand. */
export type RolloverEnd = 'quiet' | 'deadline' | 'revoked';

/**
 * A usage-driven roll: the predecessor keeps working until its successor is in use and its own
 * traffic has stopped for the quiet period, or until the deadline (its expiry), whichever first.
 */
export interface RolloverRecord {
  predecessorId: string;
  successorId: string;
  workspaceId: string;
  keyspaceId: string;
  quietPeriodSeconds: number;
  /** The hard deadline: the predecessor's expiry. */
  deadline: number;
  createdAt: number;
  /** When the retirement job first saw the successor used (its last use then: at most that late). */
  successorFirstUsedAt: number | null;
  retiredAt: number | null;
  retiredReason: RolloverEnd | null;
}

/** Which rollovers a listing holds: a workspace's, newest first, narrowed by keyspace and openness. */
export interface RolloverListQuery {
  workspaceId: string;
  keyspaceId?: string | undefined;
  open?: boolean | undefined;
  limit: number;
}

/** The storage port of usage-driven rollovers. */
export interface RolloverRepos {
  insertRollover(r: RolloverRecord): Promise<void>;
  /** The rollover from this predecessor, if any. */
  getRollover(predecessorId: string): Promise<RolloverRecord | undefined>;
  listRollovers(q: RolloverListQuery): Promise<RolloverRecord[]>;
  /** Rollovers not ended yet, of every workspace, by deadline. */
  listOpenRollovers(limit: number): Promise<RolloverRecord[]>;
  /** Records the successor's first use (only while none is recorded). */
  markSuccessorUsed(predecessorId: string, at: number): Promise<void>;
  /** Ends a rollover (only while open): true when this call ended it. */
  endRollover(predecessorId: string, o: { at: number; reason: RolloverEnd }): Promise<boolean>;
}
