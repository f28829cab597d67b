import type { KeyRecord } from '../store/records.js';
import type { RolloverRecord } from './rollover-repos.js';

/** Where a rollover stands: waiting for the successor's first use, the successor in use, or ended. */
export type RolloverPhase = 'pending_first_use' | 'successor_in_use' | 'retired';

export interface RolloverState {
  phase: RolloverPhase;
  /** The successor's first use as recorded, or its last use when none is recorded yet. */
  successorFirstUsedAt: number | null;
  predecessorLastUsedAt: number | null;
  /** When the predecessor stops working if nothing changes: the deadline, or sooner once the successor is in use. */
  retiresAt: number | null;
  /** True when the predecessor is to be retired now (the successor in use, the predecessor quiet long enough). */
  retireNow: boolean;
}

/**
 * A rollover's state from its record and the two keys as they are. The predecessor's quiet period
 * counts from its last use, but never from before the roll: a client that switched is never cut off
 * sooner than a quiet period after the roll.
 */
export function rolloverState(
  r: RolloverRecord,
  predecessor: KeyRecord | undefined,
  successor: KeyRecord | undefined,
  now: number,
): RolloverState {
  const predecessorLastUsedAt = predecessor?.lastUsedAt ?? null;
  const successorFirstUsedAt = r.successorFirstUsedAt ?? successor?.lastUsedAt ?? null;
  if (r.retiredAt !== null) return { phase: 'retired', successorFirstUsedAt, predecessorLastUsedAt, retiresAt: null, retireNow: false };
  if (successorFirstUsedAt === null)
    return { phase: 'pending_first_use', successorFirstUsedAt, predecessorLastUsedAt, retiresAt: r.deadline, retireNow: false };
  const quietEnds = Math.max(predecessorLastUsedAt ?? 0, r.createdAt) + r.quietPeriodSeconds * 1000;
  const retiresAt = Math.min(r.deadline, quietEnds);
  return {
    phase: 'successor_in_use',
    successorFirstUsedAt,
    predecessorLastUsedAt,
    retiresAt,
    retireNow: now >= quietEnds && now < r.deadline,
  };
}
