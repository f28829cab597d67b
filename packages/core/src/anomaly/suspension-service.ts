import { workspaceOf } from '../audit/actor-workspace.js';
import { appendAudit, type Actor } from '../audit/audit-chain.js';
import type { Clock } from '../clock.js';
import { TesseraError } from '../errors.js';
import { newId } from '../ids.js';
import type { InvalidationBus } from '../invalidation-bus.js';
import type { KeyRecord } from '../store/records.js';
import type { Repos } from '../store/store.js';
import type { Transactional } from '../usage/monitoring-store.js';
import type { SuspensionRecord } from './anomaly-records.js';
import type { SuspensionRepos } from './suspension-repos.js';

/**
 * Suspensions: a key disabled by a keyspace policy or a leak report, audited, and undone on
 * request — the key's `enabled` flag goes back as it was, unless the key changed since.
 */
export class SuspensionService {
  constructor(private readonly deps: { store: SuspensionRepos & Transactional<SuspensionRepos>; clock: Clock; bus: InvalidationBus }) {}

  /** Disables a live, enabled key and records how to undo it, in the caller's transaction; nothing when there is nothing to suspend. */
  async suspendIn(
    tx: SuspensionRepos & Repos,
    actor: Actor,
    keyId: string,
    anomalyId: string | null,
    reason: string,
  ): Promise<{ suspension: SuspensionRecord; key: KeyRecord } | undefined> {
    const key = await tx.getKey(keyId);
    if (key === undefined || key.deletedAt !== null || key.revokedAt !== null || !key.enabled) return undefined;
    const now = this.deps.clock.now();
    const suspension: SuspensionRecord = {
      id: newId('suspension', now),
      workspaceId: key.workspaceId,
      keyId,
      anomalyId,
      reason,
      suspendedAt: now,
      wasEnabled: key.enabled,
      undoneAt: null,
      undoneBy: null,
    };
    await tx.updateKey(keyId, { enabled: false, updatedAt: now });
    await tx.insertSuspension(suspension);
    await appendAudit(tx, this.deps.clock, actor, {
      action: 'key.suspended',
      target: keyId,
      details: { suspensionId: suspension.id, anomalyId, reason },
    });
    return { suspension, key };
  }

  async list(actor: Actor, q: { keyId?: string | undefined; active?: boolean | undefined }): Promise<SuspensionRecord[]> {
    return this.deps.store.listSuspensions({ ...q, workspaceId: workspaceOf(actor) });
  }

  /** The undo: puts the key's `enabled` flag back as it was before the suspension, unless the key changed since. */
  async undo(actor: Actor, id: string): Promise<SuspensionRecord> {
    const { clock, store } = this.deps;
    const now = clock.now();
    const { suspension, key } = await store.transaction(async (tx) => {
      const s = await tx.getSuspension(id);
      if (s === undefined || s.workspaceId !== actor.workspaceId) throw new TesseraError('NOT_FOUND', 'No such suspension.');
      if (!(await tx.markSuspensionUndone(id, now, actor.id))) throw new TesseraError('CONFLICT', 'The suspension was undone already.');
      const k = await tx.getKey(s.keyId);
      // Compare-and-set: a change made after the suspension (an explicit disable, any edit) wins.
      if (
        k !== undefined &&
        k.deletedAt === null &&
        !(await tx.restoreSuspendedKey(s.keyId, { enabled: s.wasEnabled, suspendedAt: s.suspendedAt, at: now }))
      )
        throw new TesseraError('CONFLICT', 'The key was changed after the suspension; enable it explicitly if that is still wanted.');
      await appendAudit(tx, clock, actor, {
        action: 'key.unsuspended',
        target: s.keyId,
        details: { suspensionId: id, enabled: s.wasEnabled },
      });
      return { suspension: { ...s, undoneAt: now, undoneBy: actor.id }, key: k };
    });
    if (key !== undefined) await this.deps.bus.publish({ kind: 'key', id: key.id, hash: key.hash });
    return suspension;
  }
}
