import { DEFAULT_POLICY, type KeyspacePolicy } from '../anomaly/anomaly-records.js';
import { systemActor } from '../anomaly/anomaly-service.js';
import { appendAudit, type Actor } from '../audit/audit-chain.js';
import type { Clock } from '../clock.js';
import { TesseraError } from '../errors.js';
import type { InvalidationBus } from '../invalidation-bus.js';
import type { KeyRecord } from '../store/records.js';
import type { MonitoringStore } from '../usage/monitoring-store.js';
import type { WebhookService } from '../webhooks/webhook-service.js';
import { suggestScopes } from './scope-suggestion.js';

const DAY = 86_400_000;

export interface HygieneQuery {
  keyspaceId: string;
  /** "Unused": no use for this many days. */
  unusedDays: number;
  /** "Expiring soon": within this many days. */
  expiringDays: number;
  /** Scopes not needed by any verification in this many days count as unexercised. */
  privilegeDays: number;
}

export interface KeyBrief {
  keyId: string;
  start: string;
  name: string | null;
  ownerId: string | null;
  createdAt: number;
  lastUsedAt: number | null;
  expiresAt: number | null;
}

export interface OverPrivileged extends KeyBrief {
  granted: string[];
  exercised: string[];
  unused: string[];
  suggested: string[];
}

export interface HygieneReport {
  keyspaceId: string;
  generatedAt: number;
  liveKeys: number;
  neverUsed: KeyBrief[];
  unused: KeyBrief[];
  expiringSoon: KeyBrief[];
  noExpiry: KeyBrief[];
  overPrivileged: OverPrivileged[];
}

const brief = (k: KeyRecord): KeyBrief => ({
  keyId: k.id,
  start: k.start,
  name: k.name,
  ownerId: k.ownerId,
  createdAt: k.createdAt,
  lastUsedAt: k.lastUsedAt,
  expiresAt: k.expiresAt,
});

/**
 * Key hygiene (docs/monitoring.md, "Hygiene"): inventory reports, and a sweep that sends "expiring soon" and
 * "credits low" notices and expires keys nobody uses — after a notice period in which a use
 * cancels the expiry.
 */
export class HygieneService {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<SweepResult> | undefined;

  constructor(
    private readonly deps: { store: MonitoringStore; clock: Clock; bus: InvalidationBus; webhooks: WebhookService },
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  async report(actor: Actor, q: HygieneQuery): Promise<HygieneReport> {
    const { store, clock } = this.deps;
    const ks = await store.getKeyspace(q.keyspaceId);
    if (ks === undefined || ks.workspaceId !== actor.workspaceId) throw new TesseraError('NOT_FOUND', 'No such keyspace.');
    const now = clock.now();
    const report: HygieneReport = {
      keyspaceId: ks.id,
      generatedAt: now,
      liveKeys: 0,
      neverUsed: [],
      unused: [],
      expiringSoon: [],
      noExpiry: [],
      overPrivileged: [],
    };
    for await (const page of this.pages(ks.id)) {
      const live = page.filter((k) => k.expiresAt === null || k.expiresAt > now);
      report.liveKeys += live.length;
      const uses = await store.listScopeUsage(
        live.map((k) => k.id),
        now - q.privilegeDays * DAY,
      );
      const exercised = new Map<string, string[]>();
      for (const u of uses) exercised.set(u.keyId, [...(exercised.get(u.keyId) ?? []), u.scope]);
      for (const k of live) {
        if (k.lastUsedAt === null) report.neverUsed.push(brief(k));
        else if (now - k.lastUsedAt >= q.unusedDays * DAY) report.unused.push(brief(k));
        if (k.expiresAt === null) report.noExpiry.push(brief(k));
        else if (k.expiresAt - now <= q.expiringDays * DAY) report.expiringSoon.push(brief(k));
        const used = exercised.get(k.id);
        if (used === undefined || k.scopes.length === 0) continue; // no scope was ever asked of it: nothing to judge by
        const s = suggestScopes(k.scopes, used);
        if (s.unused.length > 0 || s.narrowed.length > 0)
          report.overPrivileged.push({
            ...brief(k),
            granted: k.scopes,
            exercised: [...used].sort(),
            unused: s.unused,
            suggested: s.suggested,
          });
      }
    }
    return report;
  }

  start(intervalMs = 3_600_000): void {
    this.timer ??= setInterval(() => void this.sweep().catch(this.onError), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.sweeping?.catch(() => {});
  }

  /** One pass over every keyspace: notices, scheduled expiries, cancelled expiries. */
  async sweep(): Promise<SweepResult> {
    if (this.sweeping !== undefined) return this.sweeping;
    this.sweeping = this.sweepAll().finally(() => {
      this.sweeping = undefined;
    });
    return this.sweeping;
  }

  private async sweepAll(): Promise<SweepResult> {
    const { store } = this.deps;
    const result: SweepResult = { expiring: 0, creditsLow: 0, scheduled: 0, cancelled: 0 };
    const policies = new Map((await store.listPolicies()).map((p) => [p.keyspaceId, p]));
    for (const ks of await store.listAllKeyspaces()) {
      const policy = policies.get(ks.id) ?? { ...DEFAULT_POLICY, keyspaceId: ks.id, workspaceId: ks.workspaceId, updatedAt: 0 };
      for await (const page of this.pages(ks.id)) for (const key of page) await this.sweepKey(key, policy, result);
    }
    return result;
  }

  private async sweepKey(key: KeyRecord, policy: KeyspacePolicy, result: SweepResult): Promise<void> {
    const { store, clock, webhooks } = this.deps;
    const now = clock.now();
    if (key.expiresAt !== null && key.expiresAt > now && key.expiresAt - now <= policy.expiringNoticeDays * DAY) {
      const notice = { kind: 'expiring', subject: `${key.id}:${key.expiresAt}`, workspaceId: key.workspaceId, createdAt: now, data: {} };
      await store.transaction(async (tx) => {
        if (!(await tx.recordNotice(notice))) return;
        await webhooks.emit(tx, key.workspaceId, 'key.expiring', {
          keyId: key.id,
          expiresAt: new Date(key.expiresAt!).toISOString(),
          reason: 'expiry',
        });
        result.expiring++;
      });
    }
    if (policy.creditsLowThreshold !== null && key.credits !== null && key.credits.remaining <= policy.creditsLowThreshold) {
      const notice = {
        kind: 'credits_low',
        subject: `${key.id}:${key.credits.refilledAt ?? 0}`,
        workspaceId: key.workspaceId,
        createdAt: now,
        data: {},
      };
      await store.transaction(async (tx) => {
        if (!(await tx.recordNotice(notice))) return;
        await webhooks.emit(tx, key.workspaceId, 'key.credits_low', {
          keyId: key.id,
          remaining: key.credits!.remaining,
          threshold: policy.creditsLowThreshold,
        });
        result.creditsLow++;
      });
    }
    const scheduled = await store.getNotice('auto_expire', key.id);
    if (scheduled !== undefined) {
      // A use during the notice period shows someone still needs the key: cancel the expiry.
      const expiresAt = scheduled.data.expiresAt as number;
      // Changed since the sweep scheduled it (rolled, revoked, patched): the key's expiry is no longer the sweep's to undo.
      if (key.rolledToId !== null || key.revokedAt !== null || key.updatedAt !== scheduled.createdAt || key.expiresAt !== expiresAt) {
        await store.deleteNotice('auto_expire', key.id);
        return;
      }
      if (key.lastUsedAt !== null && key.lastUsedAt > scheduled.createdAt && expiresAt > now) {
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
        if (restored) {
          await this.deps.bus.publish({ kind: 'key', id: key.id, hash: key.hash });
          result.cancelled++;
        }
      }
      return;
    }
    if (policy.autoExpireUnusedDays === null) return;
    const idleSince = key.lastUsedAt ?? key.createdAt;
    const expiresAt = now + policy.autoExpireNoticeDays * DAY;
    if (now - idleSince < policy.autoExpireUnusedDays * DAY || (key.expiresAt !== null && key.expiresAt <= expiresAt)) return;
    await store.transaction(async (tx) => {
      if (
        !(await tx.recordNotice({
          kind: 'auto_expire',
          subject: key.id,
          workspaceId: key.workspaceId,
          createdAt: now,
          data: { expiresAt, previousExpiresAt: key.expiresAt },
        }))
      )
        return;
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
      result.scheduled++;
    });
    await this.deps.bus.publish({ kind: 'key', id: key.id, hash: key.hash });
  }

  private async *pages(keyspaceId: string): AsyncGenerator<KeyRecord[]> {
    let after: string | undefined;
    for (;;) {
      const page = await this.deps.store.listLiveKeys(keyspaceId, after, 500);
      if (page.length > 0) yield page;
      if (page.length < 500) return;
      after = page[page.length - 1]!.id;
    }
  }
}

export interface SweepResult {
  expiring: number;
  creditsLow: number;
  scheduled: number;
  cancelled: number;
}
