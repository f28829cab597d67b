import type { KeyService } from '../api-keys/key-service.js';
import { parseKey, maskKey } from '@tessera/api';
import { appendAudit, type Actor } from '../audit/audit-chain.js';
import type { Clock } from '../clock.js';
import { TesseraError } from '../errors.js';
import { newId } from '../ids.js';
import type { InvalidationBus } from '../invalidation-bus.js';
import type { Keyring } from '../custody/envelope-keyring.js';
import type { KeyRecord } from '../store/records.js';
import type { Repos } from '../store/store.js';
import type { AnomalyQuery, MonitoringRepos, MonitoringStore } from '../usage/monitoring-store.js';
import type { UsageEvent } from '../usage/usage-event.js';
import type { AnomalyEngine } from './anomaly-engine.js';
import {
  DEFAULT_POLICY,
  severityRank,
  type AnomalyDraft,
  type AnomalyRecord,
  type KeyspacePolicy,
  type SuspensionRecord,
} from './anomaly-records.js';

/** Findings that never suspend: the key is dead already, or is a decoy. */
const NO_SUSPEND = new Set(['revoked_key_used', 'expired_key_used', 'deleted_key_used', 'honeytoken_used']);

export interface AnomalyServiceDeps {
  store: MonitoringStore;
  keyring: Keyring;
  clock: Clock;
  bus: InvalidationBus;
  keys: KeyService;
  engine: AnomalyEngine;
}

export type LeakOutcome = {
  start: string;
  status: 'quarantined' | 'revoked' | 'already_revoked' | 'unknown' | 'invalid';
  keyId?: string;
  anomalyId?: string;
};

/**
 * Turns findings into stored anomalies (each with an `anomaly.detected` audit entry), applies
 * keyspace policies (alert only, or suspend the key — audited and undoable), and answers the
 * anomaly, honeytoken, policy and leak-report calls.
 */
export class AnomalyService {
  /** Fingerprint → the anomaly it was stored as, for counting repeats. */
  private readonly byFingerprint = new Map<string, string>();
  private readonly policies = new Map<string, { policy: KeyspacePolicy | undefined; at: number }>();
  private honeytokensLoadedAt = -Infinity;
  private warming: Promise<number> | undefined;

  constructor(private readonly deps: AnomalyServiceDeps) {}

  /**
   * Rebuilds the key profiles from the stored usage events of the last `sinceMs` (a week and a
   * day by default: the unusual-hour detector needs a week), so a restarted node is not blind.
   * Findings in the replay are not recorded again. Live batches wait until it is done.
   */
  warmUp(sinceMs = 8 * 86_400_000, windowMs = 600_000): Promise<number> {
    const run = async () => {
      const { store, engine, clock } = this.deps;
      const end = clock.now();
      let n = 0;
      for (let t = end - sinceMs; t < end; t += windowMs) {
        const events = await store.scanUsageEvents(t, Math.min(t + windowMs, end), 200_000);
        if (events.length > 0) engine.process(events, Math.min(t + windowMs, end));
        n += events.length;
      }
      return n;
    };
    this.warming = run().finally(() => {
      this.warming = undefined;
    });
    return this.warming;
  }

  /** Reads a batch of usage events: the usage recorder's listener. */
  async handleBatch(events: readonly UsageEvent[]): Promise<void> {
    const { engine, clock, store } = this.deps;
    if (this.warming !== undefined) await this.warming.catch(() => {});
    if (clock.now() - this.honeytokensLoadedAt > 60_000) await this.loadHoneytokens();
    const out = engine.process(events, clock.now());
    for (const draft of out.created) await this.record(draft);
    for (const r of out.repeats) {
      const id = this.byFingerprint.get(r.fingerprint);
      if (id !== undefined) await store.bumpAnomaly(id, r.count, r.lastSeenAt);
    }
  }

  /** Reloads the decoy keys (every node does, once a minute). */
  async loadHoneytokens(): Promise<void> {
    const ids = await this.deps.store.listHoneytokenIds();
    for (const id of ids) this.deps.engine.honeytokens.add(id);
    this.honeytokensLoadedAt = this.deps.clock.now();
  }

  /** Stores a finding with its audit entry and applies the keyspace's policy, in one transaction. */
  async record(draft: AnomalyDraft, force?: 'suspend'): Promise<AnomalyRecord> {
    const { store, clock } = this.deps;
    const policy = draft.keyspaceId === null ? undefined : await this.policyOf(draft.keyspaceId);
    const suspend =
      draft.keyId !== null &&
      !NO_SUSPEND.has(draft.kind) &&
      (force === 'suspend' ||
        (policy?.anomalyResponse === 'suspend' && severityRank(draft.severity) >= severityRank(policy.suspendMinSeverity)));
    const anomaly: AnomalyRecord = {
      ...draft,
      id: newId('anomaly', draft.detectedAt),
      status: 'open',
      count: 1,
      lastSeenAt: draft.firstEventAt,
      acknowledgedAt: null,
      acknowledgedBy: null,
      resolvedAt: null,
      resolvedBy: null,
      response: null,
    };
    let suspended: KeyRecord | undefined;
    await store.transaction(async (tx) => {
      await tx.insertAnomaly(anomaly);
      await appendAudit(tx, clock, systemActor(draft.workspaceId), {
        action: 'anomaly.detected',
        target: anomaly.id,
        details: {
          kind: anomaly.kind,
          severity: anomaly.severity,
          keyId: anomaly.keyId,
          subject: anomaly.subject,
          explanation: anomaly.explanation,
        },
      });
      if (suspend) {
        const s = await this.suspendIn(tx, systemActor(draft.workspaceId), draft.keyId!, anomaly.id, `anomaly ${anomaly.kind}`);
        if (s !== undefined) {
          anomaly.response = { action: 'suspended', suspensionId: s.suspension.id };
          suspended = s.key;
          await tx.updateAnomaly(anomaly.id, { response: anomaly.response });
        }
      }
    });
    if (suspended !== undefined) await this.deps.bus.publish({ kind: 'key', id: suspended.id, hash: suspended.hash });
    this.byFingerprint.set(anomaly.fingerprint, anomaly.id);
    if (this.byFingerprint.size > 100_000) this.byFingerprint.delete(this.byFingerprint.keys().next().value!);
    return anomaly;
  }

  async list(actor: Actor, q: Omit<AnomalyQuery, 'workspaceId'>): Promise<AnomalyRecord[]> {
    return this.deps.store.listAnomalies({ ...q, workspaceId: workspaceOf(actor) });
  }

  async get(actor: Actor, id: string, repos: Pick<MonitoringRepos, 'getAnomaly'> = this.deps.store): Promise<AnomalyRecord> {
    const a = await repos.getAnomaly(id);
    if (a === undefined || a.workspaceId !== actor.workspaceId) throw new TesseraError('NOT_FOUND', 'No such anomaly.');
    return a;
  }

  async acknowledge(actor: Actor, id: string): Promise<AnomalyRecord> {
    return this.transition(actor, id, 'acknowledged');
  }

  /** Resolves a finding. `benign` teaches the key's profile that the network was its own. */
  async resolve(actor: Actor, id: string, benign = false): Promise<AnomalyRecord> {
    const a = await this.transition(actor, id, 'resolved', benign);
    this.deps.engine.forget(a.fingerprint);
    this.byFingerprint.delete(a.fingerprint);
    if (benign && a.keyId !== null && typeof a.details.network === 'string')
      this.deps.engine.learnNetwork(a.keyId, a.details.network, this.deps.clock.now());
    return a;
  }

  private async transition(actor: Actor, id: string, to: 'acknowledged' | 'resolved', benign?: boolean): Promise<AnomalyRecord> {
    const now = this.deps.clock.now();
    return this.deps.store.transaction(async (tx) => {
      const a = await this.get(actor, id, tx);
      if (a.status === 'resolved') throw new TesseraError('CONFLICT', 'The anomaly is resolved already.');
      if (a.status === to) return a;
      const patch =
        to === 'acknowledged'
          ? { status: to, acknowledgedAt: now, acknowledgedBy: actor.id }
          : { status: to, resolvedAt: now, resolvedBy: actor.id };
      await tx.updateAnomaly(id, patch);
      await appendAudit(tx, this.deps.clock, actor, {
        action: to === 'acknowledged' ? 'anomaly.acknowledged' : 'anomaly.resolved',
        target: id,
        details: { kind: a.kind, keyId: a.keyId, ...(benign && { benign }) },
      });
      return { ...a, ...patch };
    });
  }

  // — Suspensions —

  /** Disables a live, enabled key and records how to undo it; nothing when there is nothing to suspend. */
  private async suspendIn(
    tx: MonitoringRepos & Repos,
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

  async listSuspensions(actor: Actor, q: { keyId?: string | undefined; active?: boolean | undefined }): Promise<SuspensionRecord[]> {
    return this.deps.store.listSuspensions({ ...q, workspaceId: workspaceOf(actor) });
  }

  /** The undo: puts the key's `enabled` flag back as it was before the suspension, unless the key changed since. */
  async undoSuspension(actor: Actor, id: string): Promise<SuspensionRecord> {
    const now = this.deps.clock.now();
    const { suspension, key } = await this.deps.store.transaction(async (tx) => {
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
      await appendAudit(tx, this.deps.clock, actor, {
        action: 'key.unsuspended',
        target: s.keyId,
        details: { suspensionId: id, enabled: s.wasEnabled },
      });
      return { suspension: { ...s, undoneAt: now, undoneBy: actor.id }, key: k };
    });
    if (key !== undefined) await this.deps.bus.publish({ kind: 'key', id: key.id, hash: key.hash });
    return suspension;
  }

  // — Honeytokens —

  /** Creates a decoy key: an ordinary-looking key whose every use is a critical anomaly. */
  async createHoneytoken(
    actor: Actor,
    input: {
      keyspaceId: string;
      name?: string | null | undefined;
      ownerId?: string | null | undefined;
      scopes?: string[] | undefined;
      meta?: Record<string, unknown> | null | undefined;
    },
  ): Promise<{ record: KeyRecord; key: string }> {
    const created = await this.deps.keys.createKey(actor, input);
    await this.deps.store.transaction(async (tx) => {
      await tx.insertHoneytoken({ keyId: created.record.id, workspaceId: created.record.workspaceId, createdAt: this.deps.clock.now() });
      await appendAudit(tx, this.deps.clock, actor, {
        action: 'honeytoken.created',
        target: created.record.id,
        details: { keyspaceId: input.keyspaceId },
      });
    });
    this.deps.engine.honeytokens.add(created.record.id);
    return created;
  }

  // — Leak reports —

  /**
   * Keys reported as leaked (by `tessera scan --revoke`, a secret-scanning partner, a person):
   * each known live key is quarantined (suspended, undoable) or revoked, with a critical
   * `key_leaked` anomaly. Answers with masked keys only.
   */
  async reportLeaked(
    actor: Actor,
    keys: readonly string[],
    o: { source: string; action: 'quarantine' | 'revoke' },
  ): Promise<LeakOutcome[]> {
    const out: LeakOutcome[] = [];
    const workspaceId = workspaceOf(actor);
    for (const presented of keys) {
      if (parseKey(presented) === undefined) {
        out.push({ start: '-', status: 'invalid' }); // never echo what is not a key
        continue;
      }
      const start = maskKey(presented);
      let key: KeyRecord | undefined;
      for (const v of this.deps.keyring.pepperVersions) {
        key = await this.deps.store.findKeyByHash(this.deps.keyring.hash('api_key', presented, v));
        if (key !== undefined) break;
      }
      if (key === undefined || key.workspaceId !== workspaceId || key.deletedAt !== null) {
        out.push({ start, status: 'unknown' });
        continue;
      }
      if (key.revokedAt !== null) {
        out.push({ start, status: 'already_revoked', keyId: key.id });
        continue;
      }
      const now = this.deps.clock.now();
      const anomaly = await this.record(
        {
          kind: 'key_leaked',
          severity: 'critical',
          workspaceId,
          keyId: key.id,
          keyspaceId: key.keyspaceId,
          subject: key.id,
          explanation: `Key ${key.id} (${start}) was reported leaked by ${o.source}; it was ${o.action === 'revoke' ? 'revoked' : 'quarantined (suspended until someone undoes it)'}.`,
          details: { source: o.source, action: o.action },
          firstEventAt: now,
          detectedAt: now,
          fingerprint: `key_leaked|${key.id}|${now}`,
        },
        o.action === 'quarantine' ? 'suspend' : undefined,
      );
      if (o.action === 'revoke') await this.deps.keys.revokeKey(actor, key.id, `leaked: ${o.source}`.slice(0, 512));
      out.push({ start, status: o.action === 'revoke' ? 'revoked' : 'quarantined', keyId: key.id, anomalyId: anomaly.id });
    }
    return out;
  }

  // — Policies —

  async getPolicy(actor: Actor, keyspaceId: string): Promise<KeyspacePolicy> {
    await this.keyspace(actor, keyspaceId);
    return (
      (await this.deps.store.getPolicy(keyspaceId)) ?? { ...DEFAULT_POLICY, keyspaceId, workspaceId: workspaceOf(actor), updatedAt: 0 }
    );
  }

  async putPolicy(
    actor: Actor,
    keyspaceId: string,
    patch: Partial<Omit<KeyspacePolicy, 'keyspaceId' | 'workspaceId' | 'updatedAt'>>,
  ): Promise<KeyspacePolicy> {
    const current = await this.getPolicy(actor, keyspaceId);
    const policy: KeyspacePolicy = { ...current, ...patch, updatedAt: this.deps.clock.now() };
    await this.deps.store.transaction(async (tx) => {
      await tx.putPolicy(policy);
      await appendAudit(tx, this.deps.clock, actor, {
        action: 'keyspace.policy_updated',
        target: keyspaceId,
        details: { changed: Object.keys(patch) },
      });
    });
    this.policies.set(keyspaceId, { policy, at: this.deps.clock.now() });
    return policy;
  }

  private async keyspace(actor: Actor, id: string): Promise<void> {
    const ks = await this.deps.store.getKeyspace(id);
    if (ks === undefined || ks.workspaceId !== actor.workspaceId) throw new TesseraError('NOT_FOUND', 'No such keyspace.');
  }

  /** A keyspace's policy, cached for a minute (other nodes' changes arrive within it). */
  private async policyOf(keyspaceId: string): Promise<KeyspacePolicy | undefined> {
    const now = this.deps.clock.now();
    const hit = this.policies.get(keyspaceId);
    if (hit !== undefined && now - hit.at < 60_000) return hit.policy;
    const policy = await this.deps.store.getPolicy(keyspaceId);
    this.policies.set(keyspaceId, { policy, at: now });
    return policy;
  }
}

export function systemActor(workspaceId: string | null): Actor {
  return { id: 'system:monitoring', workspaceId, ip: null };
}

function workspaceOf(actor: Actor): string {
  if (actor.workspaceId === null) throw new TesseraError('FORBIDDEN', 'This actor has no workspace.');
  return actor.workspaceId;
}
