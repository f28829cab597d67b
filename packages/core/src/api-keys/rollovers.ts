import type { Actor } from '../audit/audit-chain.js';
import type { Clock } from '../clock.js';
import { TesseraError } from '../errors.js';
import { periodic, type Periodic } from '../lifecycle/periodic.js';
import type { Store } from '../store/store.js';
import type { UsageEvent } from '../usage/usage-event.js';
import type { KeyService } from './key-service.js';
import type { RolloverListQuery, RolloverRecord } from './rollover-repos.js';
import { rolloverState, type RolloverState } from './rollover-state.js';

/** A rollover with its state now. */
export interface RolloverView {
  record: RolloverRecord;
  state: RolloverState;
}

/** What one pass of the retirement job did. */
export interface RetirementPass {
  /** Predecessors revoked because the successor was in use and they went quiet. */
  retired: number;
  /** Rollovers ended otherwise: the deadline passed, or the predecessor was revoked or deleted by hand. */
  ended: number;
}

/** How often the successors waiting for their first use are read again while usage comes (ms). */
const WAITING_RELOAD_MS = 5000;

/**
 * Usage-driven rollovers (docs/rotation.md): reads them, and retires their predecessors. The verify
 * path does nothing for them: the usage recorder already writes each key's last use, and this job
 * reads it. A retirement goes through the key service's revoke, so every node hears of it.
 */
export class Rollovers {
  private readonly passes: Periodic<RetirementPass>;
  private readonly onError: (err: unknown) => void;
  /** Open rollovers whose successor has not been used yet, by successor key id. */
  private waiting = new Map<string, RolloverRecord>();
  private waitingReadAt = -Infinity;
  private reading: Promise<void> | undefined;

  constructor(
    private readonly deps: { store: Store; clock: Clock; keys: KeyService },
    o: { intervalMs: number; onError?: ((err: unknown) => void) | undefined } = { intervalMs: 60_000 },
  ) {
    this.onError = o.onError ?? (() => {});
    this.passes = periodic(o.intervalMs, () => this.retireAll(), this.onError);
  }

  /**
   * Reads a batch of usage events as the usage recorder takes it (off the verify path): a
   * successor's first use is recorded at once and a pass runs now, so a rollover with no quiet
   * period retires its predecessor within about a second of the new key's first use, not at the
   * next timed pass. The waiting successors are read again at most every five seconds.
   */
  noticeUse(events: readonly UsageEvent[]): void {
    const now = this.deps.clock.now();
    if (now - this.waitingReadAt >= WAITING_RELOAD_MS && this.reading === undefined) {
      this.reading = this.readWaiting(now)
        .catch(this.onError)
        .finally(() => (this.reading = undefined));
    }
    if (this.waiting.size === 0) return;
    const used: [RolloverRecord, number][] = [];
    for (const e of events) {
      if (e.outcome !== 'VALID' || e.keyId === null) continue;
      const r = this.waiting.get(e.keyId);
      if (r === undefined) continue;
      this.waiting.delete(e.keyId);
      used.push([r, e.ts]);
    }
    if (used.length > 0) void this.firstUses(used).catch(this.onError);
  }

  private async readWaiting(now: number): Promise<void> {
    const open = await this.deps.store.rollovers.listOpenRollovers(1000);
    this.waiting = new Map(open.filter((r) => r.successorFirstUsedAt === null).map((r) => [r.successorId, r]));
    this.waitingReadAt = now;
  }

  private async firstUses(used: [RolloverRecord, number][]): Promise<void> {
    for (const [r, at] of used) await this.deps.store.rollovers.markSuccessorUsed(r.predecessorId, at);
    await this.passes.run();
  }

  /** The rollover from a key (its predecessor), with its state now. */
  async get(actor: Actor, predecessorId: string): Promise<RolloverView> {
    const record = await this.deps.store.rollovers.getRollover(predecessorId);
    if (record === undefined || record.workspaceId !== actor.workspaceId)
      throw new TesseraError('NOT_FOUND', 'This key was not rolled over by usage.');
    return this.view(record);
  }

  /** A workspace's rollovers, newest first. */
  async list(actor: Actor, q: Omit<RolloverListQuery, 'workspaceId'>): Promise<RolloverView[]> {
    if (actor.workspaceId === null) throw new TesseraError('FORBIDDEN', 'This actor has no workspace.');
    const records = await this.deps.store.rollovers.listRollovers({ ...q, workspaceId: actor.workspaceId });
    return Promise.all(records.map((r) => this.view(r)));
  }

  /** One pass over the open rollovers now (one pass at a time). */
  retireDue(): Promise<RetirementPass> {
    return this.passes.run();
  }

  start(): void {
    this.passes.start();
  }

  stop(): Promise<void> {
    return this.passes.stop();
  }

  private async view(record: RolloverRecord): Promise<RolloverView> {
    const { store, clock } = this.deps;
    const [predecessor, successor] = await Promise.all([store.getKey(record.predecessorId), store.getKey(record.successorId)]);
    return { record, state: rolloverState(record, predecessor, successor, clock.now()) };
  }

  private async retireAll(): Promise<RetirementPass> {
    const { store, clock, keys } = this.deps;
    const pass: RetirementPass = { retired: 0, ended: 0 };
    for (const r of await store.rollovers.listOpenRollovers(1000)) {
      const now = clock.now();
      const [predecessor, successor] = await Promise.all([store.getKey(r.predecessorId), store.getKey(r.successorId)]);
      if (predecessor === undefined || predecessor.revokedAt !== null || predecessor.deletedAt !== null) {
        const at = predecessor?.revokedAt ?? predecessor?.deletedAt ?? now;
        if (await store.rollovers.endRollover(r.predecessorId, { at, reason: 'revoked' })) pass.ended++;
        continue;
      }
      if (now >= r.deadline) {
        // The predecessor expired at the deadline by itself: nothing to revoke.
        if (await store.rollovers.endRollover(r.predecessorId, { at: r.deadline, reason: 'deadline' })) pass.ended++;
        continue;
      }
      const state = rolloverState(r, predecessor, successor, now);
      if (r.successorFirstUsedAt === null && state.successorFirstUsedAt !== null)
        await store.rollovers.markSuccessorUsed(r.predecessorId, state.successorFirstUsedAt);
      if (!state.retireNow) continue;
      const quietSince = Math.max(state.predecessorLastUsedAt ?? 0, r.createdAt);
      await keys.revokeKey({ id: 'system:rotation', workspaceId: r.workspaceId, ip: null }, r.predecessorId, 'retired: successor in use', {
        action: 'key.retired',
        details: {
          successorKeyId: r.successorId,
          successorFirstUsedAt: new Date(state.successorFirstUsedAt!).toISOString(),
          quietSince: new Date(quietSince).toISOString(),
          quietPeriodSeconds: r.quietPeriodSeconds,
        },
      });
      if (await store.rollovers.endRollover(r.predecessorId, { at: now, reason: 'quiet' })) pass.retired++;
    }
    return pass;
  }
}
