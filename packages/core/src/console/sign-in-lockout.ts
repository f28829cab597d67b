import type { Clock } from '../clock.js';
import { appendAudit, type Actor } from '../audit/audit-chain.js';
import { DEFAULT_WORKSPACE_ID } from '../root-keys/root-key-service.js';
import type { Repos, Store } from '../store/store.js';
import type { ConsolePolicy } from './console-policy.js';
import type { ConsoleUserRecord } from './console-records.js';
import { FailedSignIns, type FailureSummary } from './failed-sign-ins.js';

/** Repeated failed sign-ins: one account locked, or one address throttled. */
export interface SignInFailures {
  workspaceId: string;
  /** The locked account; null when an address was throttled across accounts. */
  userId: string | null;
  ip: string;
  failures: number;
  since: number;
  at: number;
}

export interface SignInLockoutDeps {
  store: Store;
  clock: Clock;
  /** Told of repeated sign-in failures (an account locked, or an address throttled), to raise an anomaly. */
  onRepeatedFailures?: ((event: SignInFailures) => void) | undefined;
}

/** Whether the account is locked at `now`. */
export const isLocked = (user: ConsoleUserRecord, now: number): boolean => user.lockedUntil !== null && user.lockedUntil > now;

/**
 * What a failed sign-in costs: its source network counts towards a throttle, the audit log gets
 * an entry while the window's budget lasts (past it, one summary entry later), and a failure that
 * `counts` brings its account closer to a lock. Only someone who knows the password can make a
 * failure count (see console-sign-in.ts), so only they can lock an account.
 */
export class SignInLockout {
  /** Failed sign-ins per source network (a throttle, in memory) and their audit budget. */
  private readonly failures: FailedSignIns;

  constructor(
    private readonly deps: SignInLockoutDeps,
    private readonly policy: ConsolePolicy,
  ) {
    this.failures = new FailedSignIns(deps.clock, {
      perNetwork: policy.maxFailuresPerIp,
      windowMs: policy.lockoutMs,
      auditBudget: policy.maxFailureEntries,
    });
  }

  /** Whether the address has failed too often in the window to try again now. */
  throttled(ip: string): boolean {
    return this.failures.throttled(ip);
  }

  /**
   * Records a failed sign-in: counted for its source network (the throttle), audited within the
   * window's budget (past it, summed into one entry later), and, when it `counts`, counted
   * towards the account's lock. Returns true when it locked the account.
   */
  async failed(
    user: ConsoleUserRecord | null,
    ip: string,
    now: number,
    reason: string,
    o: { counts: boolean; email?: string | undefined },
  ): Promise<boolean> {
    const audit = this.count(ip, reason, user?.workspaceId ?? DEFAULT_WORKSPACE_ID, now);
    const summary = this.failures.takeSummary();
    if (!audit && !o.counts && summary === undefined) return false;
    const actor: Actor = {
      id: user === null ? 'anonymous' : `user:${user.id}`,
      workspaceId: user?.workspaceId ?? DEFAULT_WORKSPACE_ID,
      ip,
    };
    const locked = await this.deps.store.transaction(async (tx) => {
      if (summary !== undefined) await appendSummary(tx, this.deps.clock, summary);
      if (audit)
        await appendAudit(tx, this.deps.clock, actor, {
          action: 'user.login_failed',
          target: user?.id ?? null,
          details: { reason, ...(o.email !== undefined && { email: o.email }) },
        });
      if (user === null || !o.counts) return false;
      return this.countTowardsLock(tx, actor, user, now);
    });
    if (locked && user !== null) {
      this.deps.onRepeatedFailures?.({
        workspaceId: user.workspaceId,
        userId: user.id,
        ip,
        failures: this.policy.maxFailures,
        since: now,
        at: now,
      });
    }
    return locked;
  }

  /**
   * A console sign-in through the upstream provider that was refused: its callback forged, another
   * browser's or replayed, an error from the provider, or an account the console's rules refuse.
   * Counted for its source network and audited as `user.login_failed` within the window's budget,
   * like a wrong password; it never counts towards an account's lock (no password was tried).
   */
  async refused(actor: Actor, target: string | null, details: { reason: string } & Record<string, unknown>): Promise<void> {
    const audit = this.count(actor.ip ?? '', details.reason, actor.workspaceId ?? DEFAULT_WORKSPACE_ID, this.deps.clock.now());
    const summary = this.failures.takeSummary();
    if (!audit && summary === undefined) return;
    await this.deps.store.transaction(async (tx) => {
      if (summary !== undefined) await appendSummary(tx, this.deps.clock, summary);
      if (audit) await appendAudit(tx, this.deps.clock, actor, { action: 'user.login_failed', target, details });
    });
  }

  /** Counts a failure for its network (told once the network is throttled); whether it gets an audit entry of its own. */
  private count(ip: string, reason: string, workspaceId: string, now: number): boolean {
    const { failures, audit } = this.failures.count(ip, reason);
    if (failures === this.policy.maxFailuresPerIp)
      this.deps.onRepeatedFailures?.({ workspaceId, userId: null, ip, failures, since: now, at: now });
    return audit;
  }

  /** Writes the summary of failed sign-ins left out of the audit log, once their window is over (`force`: now). */
  async writeSummary(force: boolean): Promise<void> {
    const summary = this.failures.takeSummary(force);
    if (summary !== undefined) await this.deps.store.transaction((tx) => appendSummary(tx, this.deps.clock, summary));
  }

  private async countTowardsLock(tx: Repos, actor: Actor, user: ConsoleUserRecord, now: number): Promise<boolean> {
    const count = await tx.console.incrementFailedLogins(user.id, now);
    if (count < this.policy.maxFailures) return false;
    await tx.console.updateUser(user.id, { lockedUntil: now + this.policy.lockoutMs, failedLogins: 0, updatedAt: now });
    // Full sessions end; half-open ones stay, unable to succeed: ending them would tell whoever
    // holds one that its password was right (a decoy never ends).
    await tx.console.deleteUserSessions(user.id, undefined, 'full');
    await appendAudit(tx, this.deps.clock, actor, {
      action: 'user.locked',
      target: user.id,
      details: { failures: count, until: new Date(now + this.policy.lockoutMs).toISOString() },
    });
    return true;
  }
}

/** Failed sign-ins past the audit budget of their window, as one entry. */
function appendSummary(tx: Repos, clock: Clock, s: FailureSummary): Promise<unknown> {
  return appendAudit(
    tx,
    clock,
    { id: 'system', workspaceId: DEFAULT_WORKSPACE_ID, ip: null },
    {
      action: 'user.login_failures',
      target: null,
      details: {
        failures: s.failures,
        networks: s.networks,
        reasons: s.reasons,
        since: new Date(s.since).toISOString(),
        until: new Date(s.until).toISOString(),
      },
    },
  );
}
