import { appendAudit, type Actor } from '../audit/audit-chain.js';
import type { Clock } from '../clock.js';
import { TesseraError } from '../errors.js';
import type { Repos } from '../store/store.js';
import type { Transactional } from '../usage/monitoring-store.js';
import { DEFAULT_POLICY, type KeyspacePolicy } from './anomaly-records.js';
import type { PolicyRepos } from './policy-repos.js';

/** What a policy change may set. */
export type PolicyPatch = Partial<Omit<KeyspacePolicy, 'keyspaceId' | 'workspaceId' | 'updatedAt'>>;

/** A keyspace's policy, or the defaults (`updatedAt` 0) while none is set. */
export function policyOrDefault(policy: KeyspacePolicy | undefined, keyspace: { id: string; workspaceId: string }): KeyspacePolicy {
  return policy ?? { ...DEFAULT_POLICY, keyspaceId: keyspace.id, workspaceId: keyspace.workspaceId, updatedAt: 0 };
}

/** Keyspace policies: how each keyspace answers anomalies (alert or suspend) and stale keys. */
export class PolicyService {
  private readonly cache = new Map<string, { policy: KeyspacePolicy | undefined; at: number }>();

  constructor(private readonly deps: { store: PolicyRepos & Pick<Repos, 'getKeyspace'> & Transactional<PolicyRepos>; clock: Clock }) {}

  async get(actor: Actor, keyspaceId: string): Promise<KeyspacePolicy> {
    const ks = await this.deps.store.getKeyspace(keyspaceId);
    if (ks === undefined || ks.workspaceId !== actor.workspaceId) throw new TesseraError('NOT_FOUND', 'No such keyspace.');
    return policyOrDefault(await this.deps.store.getPolicy(keyspaceId), ks);
  }

  async put(actor: Actor, keyspaceId: string, patch: PolicyPatch): Promise<KeyspacePolicy> {
    const { clock, store } = this.deps;
    const current = await this.get(actor, keyspaceId);
    const policy: KeyspacePolicy = { ...current, ...patch, updatedAt: clock.now() };
    await store.transaction(async (tx) => {
      await tx.putPolicy(policy);
      await appendAudit(tx, clock, actor, {
        action: 'keyspace.policy_updated',
        target: keyspaceId,
        details: { changed: Object.keys(patch) },
      });
    });
    this.cache.set(keyspaceId, { policy, at: clock.now() });
    return policy;
  }

  /** A keyspace's policy as set (undefined: the defaults), cached for a minute: other nodes' changes arrive within it. */
  async current(keyspaceId: string): Promise<KeyspacePolicy | undefined> {
    const now = this.deps.clock.now();
    const hit = this.cache.get(keyspaceId);
    if (hit !== undefined && now - hit.at < 60_000) return hit.policy;
    const policy = await this.deps.store.getPolicy(keyspaceId);
    this.cache.set(keyspaceId, { policy, at: now });
    return policy;
  }
}
