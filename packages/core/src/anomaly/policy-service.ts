import { appendAudit, type Actor } from '../audit/audit-chain.js';
import type { Clock } from '../clock.js';
import { TesseraError } from '../errors.js';
import type { Repos } from '../store/store.js';
import type { Transactional } from '../usage/monitoring-store.js';
import type { Invalidation, InvalidationBus } from '../invalidation-bus.js';
import type { KeyInventoryRepos } from '../hygiene/key-inventory-repos.js';
import type { HoneytokenRepos } from './honeytoken-repos.js';
import { systemActor } from './system-actor.js';
import { DEFAULT_POLICY, type KeyspacePolicy } from './anomaly-records.js';
import type { PolicyRepos } from './policy-repos.js';
import { invalidNetwork } from './detection-tuning.js';

const DAY = 86_400_000;

/** What a policy change may set. */
export type PolicyPatch = Partial<Omit<KeyspacePolicy, 'keyspaceId' | 'workspaceId' | 'updatedAt'>>;

/** A keyspace's policy, or the defaults (`updatedAt` 0) while none is set. */
export function policyOrDefault(policy: KeyspacePolicy | undefined, keyspace: { id: string; workspaceId: string }): KeyspacePolicy {
  return policy ?? { ...DEFAULT_POLICY, keyspaceId: keyspace.id, workspaceId: keyspace.workspaceId, updatedAt: 0 };
}

/** Keyspace policies: how each keyspace answers anomalies (alert or suspend) and stale keys. */
export class PolicyService {
  private readonly cache = new Map<string, { policy: KeyspacePolicy | undefined; at: number }>();

  constructor(
    private readonly deps: {
      store: PolicyRepos &
        Pick<Repos, 'getKeyspace'> &
        Pick<HoneytokenRepos, 'listHoneytokenIds'> &
        Transactional<PolicyRepos & Pick<KeyInventoryRepos, 'capLiveKeyExpiries'>>;
      clock: Clock;
      bus: InvalidationBus;
    },
  ) {}

  async get(actor: Actor, keyspaceId: string): Promise<KeyspacePolicy> {
    const ks = await this.deps.store.getKeyspace(keyspaceId);
    if (ks === undefined || ks.workspaceId !== actor.workspaceId) throw new TesseraError('NOT_FOUND', 'No such keyspace.');
    return policyOrDefault(await this.deps.store.getPolicy(keyspaceId), ks);
  }

  /**
   * Sets a keyspace's policy. A maximum key lifetime, set or shortened, gives every live key that
   * would outlive it an expiry at the limit, each audited (`key.expiry_scheduled`, so a
   * `key.expiring` webhook tells its owner); decoys are left alone, as the hygiene sweep leaves them.
   */
  async put(actor: Actor, keyspaceId: string, patch: PolicyPatch): Promise<KeyspacePolicy> {
    const { clock, store } = this.deps;
    const bad = patch.knownNetworks === undefined ? undefined : invalidNetwork(patch.knownNetworks);
    if (bad !== undefined) throw new TesseraError('VALIDATION_FAILED', `knownNetworks: not a CIDR or an address: ${bad.slice(0, 64)}`);
    if (patch.quietHours !== undefined) patch = { ...patch, quietHours: [...new Set(patch.quietHours)].sort((a, b) => a - b) };
    const current = await this.get(actor, keyspaceId);
    const now = clock.now();
    const policy: KeyspacePolicy = { ...current, ...patch, updatedAt: now };
    const limit = policy.maxKeyLifetimeDays;
    const tightened = limit !== null && (current.maxKeyLifetimeDays === null || limit < current.maxKeyLifetimeDays);
    const except = tightened ? await store.listHoneytokenIds() : [];
    const capped = await store.transaction(async (tx) => {
      await tx.putPolicy(policy);
      const latest = now + (limit ?? 0) * DAY;
      const keys = tightened ? await tx.capLiveKeyExpiries(keyspaceId, latest, { at: now, except }) : [];
      for (const key of keys)
        await appendAudit(tx, clock, systemActor(key.workspaceId), {
          action: 'key.expiry_scheduled',
          target: key.id,
          details: {
            reason: `maximum key lifetime (policy: ${limit} days)`,
            expiresAt: new Date(latest).toISOString(),
            previousExpiresAt: key.expiresAt,
          },
        });
      await appendAudit(tx, clock, actor, {
        action: 'keyspace.policy_updated',
        target: keyspaceId,
        details: { changed: Object.keys(patch), ...(tightened && { keysGivenExpiry: keys.length }) },
      });
      return keys;
    });
    this.cache.set(keyspaceId, { policy, at: now });
    // Every node reads it again (its detectors' tuning above all), this one included. Sent apart
    // from the keys' changes: a node of the previous release drops a batch holding a kind it does
    // not know, and must still hear of the expiries.
    await Promise.all([
      this.deps.bus.publish({ kind: 'keyspace_policy', id: keyspaceId }),
      this.deps.bus.publishMany(capped.map((k): Invalidation => ({ kind: 'key', id: k.id, hash: k.hash }))),
    ]);
    return policy;
  }

  /** Forgets a cached policy (it changed, here or on another node). */
  forget(keyspaceId?: string): void {
    if (keyspaceId === undefined) this.cache.clear();
    else this.cache.delete(keyspaceId);
  }

  /** A keyspace's policy as set (undefined: the defaults), cached for a minute or until it changes. */
  async current(keyspaceId: string): Promise<KeyspacePolicy | undefined> {
    const now = this.deps.clock.now();
    const hit = this.cache.get(keyspaceId);
    if (hit !== undefined && now - hit.at < 60_000) return hit.policy;
    const policy = await this.deps.store.getPolicy(keyspaceId);
    this.cache.set(keyspaceId, { policy, at: now });
    return policy;
  }
}
