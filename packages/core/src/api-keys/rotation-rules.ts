import { TesseraError } from '../errors.js';
import type { KeyRecord } from '../store/records.js';

const DAY = 86_400_000;

/** What a keyspace's rotation policy says about its keys (the fields of its `KeyspacePolicy`). */
export interface RotationRules {
  /** No key may expire later than this many days from now, nor never (null: no limit). */
  maxKeyLifetimeDays: number | null;
  /** A key is due for rotation this many days after it was made (null: no schedule). */
  rotationIntervalDays: number | null;
  /** A key not rolled by its due date keeps working this many days more. */
  rotationGraceDays: number;
}

/**
 * The expiry a key gets under a maximum lifetime, or `KEY_LIFETIME_EXCEEDED`. A key created
 * without an expiry gets one at the limit; a key set (created or updated) to expire later than the
 * limit, or set to never expire, is refused. `undefined` (an update leaving the expiry alone) stays.
 */
export function expiryWithinLifetime(
  expiresAt: number | null | undefined,
  rules: Pick<RotationRules, 'maxKeyLifetimeDays'> | undefined,
  now: number,
  o: { creating: boolean },
): number | null | undefined {
  const days = rules?.maxKeyLifetimeDays ?? null;
  if (days === null || expiresAt === undefined) return expiresAt;
  const latest = now + days * DAY;
  if (expiresAt === null && o.creating) return latest;
  if (expiresAt === null || expiresAt > latest) {
    throw new TesseraError(
      'KEY_LIFETIME_EXCEEDED',
      `This keyspace's maximum key lifetime is ${days} days: a key must expire by ${new Date(latest).toISOString()}` +
        (expiresAt === null ? ', and cannot be set to never expire.' : '.'),
    );
  }
  return expiresAt;
}

/** When a live key is due for rotation under the rules; null without a schedule, or once rolled or revoked. */
export function rotationDueAt(key: KeyRecord, rules: Pick<RotationRules, 'rotationIntervalDays'> | undefined): number | null {
  const days = rules?.rotationIntervalDays ?? null;
  if (days === null || key.revokedAt !== null || key.rolledToId !== null || key.deletedAt !== null) return null;
  return key.createdAt + days * DAY;
}
