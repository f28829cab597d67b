import { keyState, when } from '../format.js';
import { holdOf, type Key, type Suspension } from './key-model.js';
import { RotationDueBadge } from './rotation-due.js';

/**
 * A key's state as badges: active, disabled (or quarantined / suspended, when a leak report or a
 * policy turned it off), revoked, expired; a rolled key still in its grace period says until
 * when; a key due for rotation says so; a honeytoken says it is a decoy.
 */
export function StateBadge({ keyInfo: k, suspension }: { keyInfo: Key; suspension?: Suspension | undefined }) {
  const s = keyState(k);
  const held = s === 'disabled' && suspension !== undefined ? holdOf(suspension) : undefined;
  const grace = s === 'active' && k.rolledToKeyId !== null && k.expiresAt !== null;
  return (
    <>
      <span className={`badge ${held ? 'revoked' : s}`} title={held ? `Disabled because ${held.why}.` : undefined}>
        {held ? held.label : s}
      </span>
      {grace && (
        <>
          {' '}
          <span className="badge disabled" title={`Rolled: this old key keeps working until ${when(k.expiresAt)}.`}>
            grace period
          </span>{' '}
          <span className="small muted">until {when(k.expiresAt)}</span>
        </>
      )}
      <RotationDueBadge keyInfo={k} />
      {k.decoy && (
        <>
          {' '}
          <span className="badge decoy" title="A honeytoken: planted as a trap. Any use of it is a critical anomaly; leave it as it is.">
            decoy
          </span>
        </>
      )}
    </>
  );
}
