import { auditAppend, type Actor, type AuditDraft } from '../audit/audit-chain.js';
import type { Clock } from '../clock.js';
import type { Invalidation, InvalidationBus } from '../invalidation-bus.js';
import type { KeyRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { ChangeLaps, type ChangeAction, type ChangeObserver } from './change-phases.js';
import type { KeyChange } from './key-repos.js';

/**
 * One key's change with its audit entry as one write (the store's `changeKey`: on PostgreSQL one
 * statement), then its invalidation on every node, each phase timed; undefined when there was no
 * such key (nothing written, nothing published).
 */
export async function writeKeyChange(
  deps: { store: Store; clock: Clock; bus: InvalidationBus; observeChange?: ChangeObserver | undefined },
  actor: Actor & { workspaceId: string },
  action: ChangeAction,
  change: Omit<KeyChange, 'workspaceId'>,
  draft: AuditDraft,
): Promise<KeyRecord | undefined> {
  const laps = new ChangeLaps();
  const done = await deps.store.changeKey({ ...change, workspaceId: actor.workspaceId }, auditAppend(deps.clock, actor, draft));
  if (done === undefined) return undefined;
  laps.split({ write: done.phases.writeMs, audit: done.phases.auditMs }, 'commit');
  await deps.bus.publish(keyInvalidation(done.key, action === 'revoke'));
  laps.lap('publish');
  laps.report(action, deps.observeChange);
  return done.key;
}

/** The invalidation of a changed key; a revocation's carries what it wrote (see {@link Invalidation}). */
export function keyInvalidation(key: KeyRecord, revocation: boolean): Invalidation {
  return {
    kind: 'key',
    id: key.id,
    hash: key.hash,
    ...(revocation && key.revokedAt !== null && { revoked: { at: key.revokedAt, reason: key.revokeReason } }),
  };
}
