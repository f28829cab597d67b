import { workspaceOf } from '../audit/actor-workspace.js';
import type { ClientAuthFailure } from './fleet-failure-options.js';
import { appendAudit, auditAppend, type Actor, type AuditDraft } from '../audit/audit-chain.js';
import type { Clock } from '../clock.js';
import { TesseraError } from '../errors.js';
import { newId } from '../ids.js';
import type { InvalidationBus } from '../invalidation-bus.js';
import type { KeyRecord } from '../store/records.js';
import type { Transactional } from '../usage/monitoring-store.js';
import type { UsageEvent } from '../usage/usage-event.js';
import { eachVerification } from '../usage/stored-events.js';
import type { UsageRepos } from '../usage/usage-repos.js';
import type { AnomalyEngine } from './anomaly-engine.js';
import { severityRank, type AnomalyDraft, type AnomalyRecord } from './anomaly-records.js';
import type { AnomalyBump, AnomalyQuery, AnomalyRepos } from './anomaly-repos.js';
import type { FleetSync } from './fleet-sync.js';
import type { HoneytokenService } from './honeytoken-service.js';
import type { PolicyService } from './policy-service.js';
import type { SuspensionRepos } from './suspension-repos.js';
import type { SuspensionService } from './suspension-service.js';
import { systemActor } from './system-actor.js';

/** Findings that never suspend: the key is dead already, or is a decoy. */
const NO_SUSPEND = new Set(['revoked_key_used', 'expired_key_used', 'deleted_key_used', 'honeytoken_used']);

export interface AnomalyServiceDeps {
  store: AnomalyRepos & Pick<UsageRepos, 'scanUsageEvents'> & Transactional<AnomalyRepos & SuspensionRepos>;
  clock: Clock;
  bus: InvalidationBus;
  engine: AnomalyEngine;
  policies: PolicyService;
  suspensions: SuspensionService;
  honeytokens: HoneytokenService;
  /** Set when nodes share the fleet-wide counters (the engine then defers their judgement). */
  fleet?: FleetSync | undefined;
  /** A failed exchange with the other nodes (detection goes on with this node's counts). */
  onError?: ((err: unknown) => void) | undefined;
}

/**
 * Turns findings into stored anomalies (each with an `anomaly.detected` audit entry), applies
 * keyspace policies (alert only, or suspend the key — audited and undoable), and answers the
 * anomaly calls: list, read, acknowledge, resolve.
 */
export class AnomalyService {
  /** Fingerprint → the anomaly it was stored as, for counting repeats. */
  private readonly byFingerprint = new Map<string, string>();
  private warming: Promise<number> | undefined;

  constructor(private readonly deps: AnomalyServiceDeps) {}

  /**
   * Counts a failed OAuth client authentication for the fleet-wide detector: judged with the
   * next batch (the caller wakes the usage recorder), shared with the other nodes like the
   * verification failures. Synchronous and cheap: the endpoint answers without waiting for it.
   */
  noteClientAuthFailure(f: ClientAuthFailure): void {
    this.deps.engine.fleet?.observeClientAuthFailure(f);
  }

  /**
   * Rebuilds the key profiles from the stored usage events of the last `sinceMs` (a week and a
   * day by default: the unusual-hour detector needs a week), so a restarted node is not blind. A
   * stored row of alike verifications is replayed as each of them.
   * Findings in the replay are not recorded again. Live batches wait until it is done.
   */
  warmUp(sinceMs = 8 * 86_400_000, windowMs = 600_000): Promise<number> {
    const run = async () => {
      const { store, engine, clock } = this.deps;
      const end = clock.now();
      let n = 0;
      for (let t = end - sinceMs; t < end; t += windowMs) {
        const events = eachVerification(await store.scanUsageEvents(t, Math.min(t + windowMs, end), 200_000), 200_000);
        if (events.length > 0) engine.process(events, Math.min(t + windowMs, end), true);
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
    const { engine, clock, honeytokens } = this.deps;
    if (this.warming !== undefined) await this.warming.catch(() => {});
    await honeytokens.refresh();
    const now = clock.now();
    const out = engine.process(events, now);
    const { fleet } = this.deps;
    // With nodes sharing state, the same misuse of a key may be seen by several: one records it.
    for (const draft of out.created) if (await this.mine(draft)) await this.record(draft);
    await this.bump(out.repeats);
    if (fleet === undefined) return;
    // Every node's counters first, then the judgement: an attack split over nodes is seen whole,
    // and the one node that claims a finding records it.
    await fleet.sync(now).catch((err: unknown) => this.deps.onError?.(err));
    const agg = engine.evaluate(now);
    for (const draft of agg.created) if (await this.mine(draft)) await this.record(draft);
    await this.bump(agg.repeats);
    await fleet.renew(agg.repeats).catch((err: unknown) => this.deps.onError?.(err));
  }

  /** Whether this node records a finding: alone, always; sharing state, if it claimed it first. */
  private async mine(draft: AnomalyDraft): Promise<boolean> {
    const { fleet } = this.deps;
    if (fleet === undefined) return true;
    return fleet.claim(draft).catch((err: unknown) => {
      this.deps.onError?.(err);
      return true; // better twice than never
    });
  }

  /** The batch's repeats of open findings, written in one statement. */
  private async bump(repeats: readonly { fingerprint: string; count: number; lastSeenAt: number }[]): Promise<void> {
    const bumps: AnomalyBump[] = [];
    for (const r of repeats) {
      const id = this.byFingerprint.get(r.fingerprint);
      if (id !== undefined) bumps.push({ id, count: r.count, lastSeenAt: r.lastSeenAt });
    }
    if (bumps.length > 0) await this.deps.store.bumpAnomalies(bumps);
  }

  /** Stores a finding with its audit entry and applies the keyspace's policy, in one transaction. */
  async record(draft: AnomalyDraft, force?: 'suspend'): Promise<AnomalyRecord> {
    const { store, clock, policies, suspensions } = this.deps;
    const policy = draft.keyspaceId === null ? undefined : await policies.current(draft.keyspaceId);
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
    const audit: AuditDraft = {
      action: 'anomaly.detected',
      target: anomaly.id,
      details: {
        kind: anomaly.kind,
        severity: anomaly.severity,
        keyId: anomaly.keyId,
        subject: anomaly.subject,
        explanation: anomaly.explanation,
      },
    };
    let suspended: KeyRecord | undefined;
    // Alone: one write (on PostgreSQL one statement), so the audit head is not held across round trips.
    if (!suspend) await store.recordAnomaly(anomaly, auditAppend(clock, systemActor(draft.workspaceId), audit));
    else
      await store.transaction(async (tx) => {
        await tx.recordAnomaly(anomaly, auditAppend(clock, systemActor(draft.workspaceId), audit));
        const s = await suspensions.suspendIn(tx, systemActor(draft.workspaceId), draft.keyId!, anomaly.id, `anomaly ${anomaly.kind}`);
        if (s !== undefined) {
          anomaly.response = { action: 'suspended', suspensionId: s.suspension.id };
          suspended = s.key;
          await tx.updateAnomaly(anomaly.id, { response: anomaly.response });
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

  async get(actor: Actor, id: string, repos: Pick<AnomalyRepos, 'getAnomaly'> = this.deps.store): Promise<AnomalyRecord> {
    const a = await repos.getAnomaly(id);
    if (a === undefined || a.workspaceId !== actor.workspaceId) throw new TesseraError('NOT_FOUND', 'No such anomaly.');
    return a;
  }

  async acknowledge(actor: Actor, id: string): Promise<AnomalyRecord> {
    return this.transition(actor, id, 'acknowledged');
  }

  /**
   * Resolves a finding. `benign` teaches the detector that raised it: a key's network, country,
   * hour or rate as its own, a source's failures as expected, a scope's failures as usual for the
   * hour. With nodes sharing state, every node learns it.
   */
  async resolve(actor: Actor, id: string, benign = false): Promise<AnomalyRecord> {
    const a = await this.transition(actor, id, 'resolved', benign);
    this.deps.engine.forget(a.fingerprint);
    this.byFingerprint.delete(a.fingerprint);
    if (benign) this.deps.engine.learnBenign(a, this.deps.clock.now());
    // The other nodes learn it with their next exchange (the resolution stands if they cannot).
    await this.deps.fleet?.resolved(a, benign).catch((err: unknown) => this.deps.onError?.(err));
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
}
