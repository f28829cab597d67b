import type { PolicyRepos } from '../anomaly/policy-repos.js';
import { policyOrDefault } from '../anomaly/policy-service.js';
import type { KeyspacePolicy } from '../anomaly/anomaly-records.js';
import { systemActor } from '../anomaly/system-actor.js';
import { appendAudit } from '../audit/audit-chain.js';
import type { Clock } from '../clock.js';
import type { InvalidationBus } from '../invalidation-bus.js';
import { oneAtATime } from '../lifecycle/one-at-a-time.js';
import type { KeyRecord } from '../store/records.js';
import type { Transactional } from '../usage/monitoring-store.js';
import type { DeliveryRepos } from '../webhooks/delivery-repos.js';
import type { WebhookEmitter } from '../webhooks/webhook-fanout.js';
import type { WebhookRepos } from '../webhooks/webhook-repos.js';
import type { HoneytokenRepos } from '../anomaly/honeytoken-repos.js';
import { DAY, liveKeyPages } from './hygiene-report.js';
import { rotationDueAt } from '../api-keys/rotation-rules.js';
import type { KeyInventoryRepos } from './key-inventory-repos.js';
import type { Notice, NoticeRepos } from './notice-repos.js';

export interface SweepResult {
  expiring: number;
  creditsLow: number;
  scheduled: number;
  cancelled: number;
  rotationDue: number;
  rotationOverdue: number;
}

type SweepStore = KeyInventoryRepos &
  NoticeRepos &
  Pick<HoneytokenRepos, 'listHoneytokenIds'> &
  Pick<PolicyRepos, 'listPolicies'> &
  Transactional<KeyInventoryRepos & NoticeRepos & Pick<WebhookRepos, 'listWebhooks'> & Pick<DeliveryRepos, 'insertDeliveries'>>;

/**
 * The hygiene sweep (docs/monitoring.md, "Hygiene"): sends "expiring soon" and "credits low"
 * notices, and expires keys nobody uses — after a notice period in which a use cancels the expiry.
 */
export class HygieneSweep {
  private readonly passes = oneAtATime(() => this.sweepAll());

  constructor(private readonly deps: { store: SweepStore; clock: Clock; bus: InvalidationBus; emit: WebhookEmitter }) {}

  /** One pass over every keyspace: notices, scheduled expiries, cancelled expiries (one pass at a time). */
  sweep(): Promise<SweepResult> {
    return this.passes.run();
  }

  /** Waits for a pass under way. */
  settled(): Promise<void> {
    return this.passes.settled();
  }

  private async sweepAll(): Promise<SweepResult> {
    const { store } = this.deps;
    const result: SweepResult = { expiring: 0, creditsLow: 0, scheduled: 0, cancelled: 0, rotationDue: 0, rotationOverdue: 0 };
    const policies = new Map((await store.listPolicies()).map((p) => [p.keyspaceId, p]));
    // Decoys lie unused by design: expiring one for disuse would take the trap away.
    const decoys = new Set(await store.listHoneytokenIds());
    for (const ks of await store.listAllKeyspaces()) {
      const policy = policyOrDefault(policies.get(ks.id), ks);
      for await (const page of liveKeyPages(store, ks.id))
        for (const key of page) if (!decoys.has(key.id)) await this.sweepKey(key, policy, result);
    }
    return result;
  }

  private async sweepKey(key: KeyRecord, policy: KeyspacePolicy, result: SweepResult): Promise<void> {
    const now = this.deps.clock.now();
    if (key.expiresAt !== null && key.expiresAt > now && key.expiresAt - now <= policy.expiringNoticeDays * DAY) {
      if (
        await this.notify(key, `expiring`, `${key.id}:${key.expiresAt}`, 'key.expiring', {
          expiresAt: new Date(key.expiresAt).toISOString(),
          reason: 'expiry',
        })
      )
        result.expiring++;
    }
    if (policy.creditsLowThreshold !== null && key.credits !== null && key.credits.remaining <= policy.creditsLowThreshold) {
      const data = { remaining: key.credits.remaining, threshold: policy.creditsLowThreshold };
      if (await this.notify(key, 'credits_low', `${key.id}:${key.credits.refilledAt ?? 0}`, 'key.credits_low', data)) result.creditsLow++;
    }
    // A key just given its rotation expiry is changed: the rest waits for the next pass.
    if (await this.sweepRotation(key, policy, result)) return;
    const scheduled = await this.deps.store.getNotice('auto_expire', key.id);
    if (scheduled !== undefined) {
      if (await this.cancelIfUsed(key, scheduled, now)) result.cancelled++;
      return;
    }
    if (await this.scheduleIfUnused(key, policy, now)) result.scheduled++;
  }

  /**
   * A rotation schedule: a `key.rotation_due` notice ahead of the due date (once per key and date);
   * from the due date on, a key not rolled expires at the end of the grace (audited, so a
   * `key.expiring` webhook goes out as well). A key first told after its due date (it was due
   * already when the schedule was set) gets the whole grace from the moment it was told: a
   * schedule never cuts a key off sooner than the grace after its owner hears of it.
   */
  private async sweepRotation(key: KeyRecord, policy: KeyspacePolicy, result: SweepResult): Promise<boolean> {
    const { store, clock } = this.deps;
    const now = clock.now();
    const due = rotationDueAt(key, policy);
    if (due === null || now < due - policy.rotationNoticeDays * DAY) return false;
    const subject = `${key.id}:${due}`;
    const toldAt = (await store.getNotice('rotation_due', subject))?.createdAt ?? now;
    const graceEnd = Math.max(due, toldAt) + policy.rotationGraceDays * DAY;
    const data = { rotationDueAt: new Date(due).toISOString(), graceEndsAt: new Date(graceEnd).toISOString() };
    if (await this.notify(key, 'rotation_due', subject, 'key.rotation_due', data)) result.rotationDue++;
    if (now < due || (key.expiresAt !== null && key.expiresAt <= graceEnd)) return false;
    await store.transaction(async (tx) => {
      await tx.updateKey(key.id, { expiresAt: graceEnd, updatedAt: now });
      await appendAudit(tx, clock, systemActor(key.workspaceId), {
        action: 'key.expiry_scheduled',
        target: key.id,
        details: {
          reason: `not rotated by ${data.rotationDueAt} (policy: every ${policy.rotationIntervalDays} days, ${policy.rotationGraceDays} days of grace)`,
          expiresAt: data.graceEndsAt,
          previousExpiresAt: key.expiresAt,
        },
      });
    });
    await this.deps.bus.publish({ kind: 'key', id: key.id, hash: key.hash });
    result.rotationOverdue++;
    return true;
  }

  /** Sends a webhook notice once per kind and subject. True when it was sent now. */
  private async notify(key: KeyRecord, kind: string, subject: string, type: string, data: Record<string, unknown>): Promise<boolean> {
    const notice: Notice = { kind, subject, workspaceId: key.workspaceId, createdAt: this.deps.clock.now(), data: {} };
    return this.deps.store.transaction(async (tx) => {
      if (!(await tx.recordNotice(notice))) return false;
      await this.deps.emit(tx, key.workspaceId, type, { keyId: key.id, ...data });
      return true;
    });
  }

  /** A use during the notice period shows someone still needs the key: the scheduled expiry is cancelled. */
  private async cancelIfUsed(key: KeyRecord, scheduled: Pick<Notice, 'createdAt' | 'data'>, now: number): Promise<boolean> {
    const { store, clock } = this.deps;
    const expiresAt = scheduled.data.expiresAt as number;
    // Changed since the sweep scheduled it (rolled, revoked, patched): the key's expiry is no longer the sweep's to undo.
    if (key.rolledToId !== null || key.revokedAt !== null || key.updatedAt !== scheduled.createdAt || key.expiresAt !== expiresAt) {
      await store.deleteNotice('auto_expire', key.id);
      return false;
    }
    if (key.lastUsedAt === null || key.lastUsedAt <= scheduled.createdAt || expiresAt <= now) return false;
    const previous = (scheduled.data.previousExpiresAt as number | null) ?? null;
    const restored = await store.transaction(async (tx) => {
      await tx.deleteNotice('auto_expire', key.id);
      // Compare-and-set: a roll or a change that lands after this sweep read the key wins.
      if (!(await tx.restoreScheduledExpiry(key.id, { expiresAt, scheduledAt: scheduled.createdAt }, previous, now))) return false;
      await appendAudit(tx, clock, systemActor(key.workspaceId), {
        action: 'key.expiry_cancelled',
        target: key.id,
        details: { reason: 'used during the notice period', expiresAt: previous },
      });
      return true;
    });
    if (restored) await this.deps.bus.publish({ kind: 'key', id: key.id, hash: key.hash });
    return restored;
  }

  /** Schedules the expiry of a key unused for the policy's days, after its notice period. */
  private async scheduleIfUnused(key: KeyRecord, policy: KeyspacePolicy, now: number): Promise<boolean> {
    const { store, clock } = this.deps;
    if (policy.autoExpireUnusedDays === null) return false;
    const idleSince = key.lastUsedAt ?? key.createdAt;
    const expiresAt = now + policy.autoExpireNoticeDays * DAY;
    if (now - idleSince < policy.autoExpireUnusedDays * DAY || (key.expiresAt !== null && key.expiresAt <= expiresAt)) return false;
    const notice = {
      kind: 'auto_expire',
      subject: key.id,
      workspaceId: key.workspaceId,
      createdAt: now,
      data: { expiresAt, previousExpiresAt: key.expiresAt },
    };
    const scheduled = await store.transaction(async (tx) => {
      if (!(await tx.recordNotice(notice))) return false;
      await tx.updateKey(key.id, { expiresAt, updatedAt: now });
      await appendAudit(tx, clock, systemActor(key.workspaceId), {
        action: 'key.expiry_scheduled',
        target: key.id,
        details: {
          reason: `unused for ${Math.floor((now - idleSince) / DAY)} days (policy: ${policy.autoExpireUnusedDays})`,
          expiresAt: new Date(expiresAt).toISOString(),
          previousExpiresAt: key.expiresAt,
        },
      });
      return true;
    });
    await this.deps.bus.publish({ kind: 'key', id: key.id, hash: key.hash });
    return scheduled;
  }
}
