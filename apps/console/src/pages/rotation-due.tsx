import { keyState, when } from '../format.js';
import type { Key } from './key-model.js';

/** Whether a live key's rotation schedule says it is due now (`rotationDueAt` has passed). */
export function rotationDueNow(k: Key, now = Date.now()): boolean {
  const s = keyState(k);
  return k.rotationDueAt !== null && Date.parse(k.rotationDueAt) <= now && (s === 'active' || s === 'disabled');
}

/**
 * For the key list: a "rotation due" badge on a key its keyspace's schedule says is due, with the
 * expiry the policy gave it (the end of the grace period) when it has one.
 */
export function RotationDueBadge({ keyInfo: k }: { keyInfo: Key }) {
  if (!rotationDueNow(k)) return null;
  return (
    <>
      {' '}
      <span className="badge overdue" title={`Due for rotation since ${when(k.rotationDueAt)}: roll it.`}>
        rotation due
      </span>
      {k.expiresAt !== null && <span className="small muted"> expires {when(k.expiresAt)}</span>}
    </>
  );
}

/** For a key's page: when its rotation is due under the keyspace's schedule, and what happens then. */
export function RotationDue({ keyInfo: k }: { keyInfo: Key }) {
  // A rolled or revoked key is due no more (its replacement has its own date); else no schedule.
  if (k.rotationDueAt === null)
    return <>{k.rolledToKeyId !== null ? 'not due: rolled' : keyState(k) === 'revoked' ? '—' : 'no schedule'}</>;
  if (!rotationDueNow(k)) return <>{when(k.rotationDueAt)}</>;
  return (
    <span data-testid="rotation-due">
      <span className="badge overdue">due</span> since {when(k.rotationDueAt)}.{' '}
      {k.expiresAt !== null
        ? `Unless it is rolled, it expires ${when(k.expiresAt)}.`
        : 'Unless it is rolled, it expires at the end of the grace period (set by the next hygiene sweep).'}
    </span>
  );
}
