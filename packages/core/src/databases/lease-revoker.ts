import { appendAudit } from '../audit/audit-chain.js';
import { attemptEach, DueWork, retryAt, type ClaimedWorkOptions } from '../lifecycle/due-work.js';
import { openConnection, type DatabaseDeps } from './database-admin.js';
import type { DatabaseLeaseRecord } from './database-records.js';
import { TargetError } from './database-target.js';
import { DEFAULT_REVOCATION_STATEMENTS } from './statement-templates.js';

/** How often leases due for revocation are looked for, how long a node holds one, the retries' backoff. */
export type RevokerOptions = ClaimedWorkOptions;

export const REVOKER_DEFAULTS: RevokerOptions = {
  intervalMs: 5_000,
  claimMs: 120_000,
  backoffSeconds: [5, 15, 60, 300, 900, 3_600],
};

/** A failed revocation attempt as the server log records it (the message names no secret). */
export interface RevocationFailure {
  leaseId: string;
  login: string;
  attempts: number;
  message: string;
}

/**
 * Drops the logins of leases that ended — expired, or revoked by request — from any node: each
 * attempt is claimed in the store first, so two nodes never revoke the same lease at once; an
 * attempt cut short by a crash lapses and is picked up again; a failed one is retried with
 * backoff until it succeeds, and the lease shows its attempts and last error meanwhile.
 */
export class LeaseRevoker extends DueWork {
  constructor(
    private readonly deps: DatabaseDeps & { onFailure?: ((failure: RevocationFailure) => void) | undefined },
    private readonly o: RevokerOptions = REVOKER_DEFAULTS,
    onError: (err: unknown) => void = () => {},
  ) {
    super(o.intervalMs, onError);
  }

  /** Attempts every revocation that is due now; answers how many this node attempted. */
  protected async round(): Promise<number> {
    return attemptEach(await this.deps.store.databases.listDueLeases(this.deps.clock.now(), 50), (lease) => this.attempt(lease));
  }

  /** One revocation attempt at one lease, if this node wins the claim on it. */
  async attempt(lease: DatabaseLeaseRecord): Promise<boolean> {
    const { store, clock } = this.deps;
    const now = clock.now();
    const claimUntil = now + this.o.claimMs;
    if (lease.nextAttemptAt === null || lease.nextAttemptAt > now) return false;
    if (!(await store.databases.claimLease(lease.id, lease.nextAttemptAt, claimUntil))) return false;
    const attempts = lease.attempts + 1;
    let error: string | null = null;
    try {
      const connection = await store.databases.getConnectionById(lease.connectionId);
      if (connection === undefined) throw new TargetError('the connection of this lease is gone');
      const role = await store.databases.getRole(lease.workspaceId, lease.roleName);
      const statements = (role?.id === lease.roleId ? role.revocationStatements : null) ?? DEFAULT_REVOCATION_STATEMENTS;
      await this.deps.target.revokeLogin(await openConnection(this.deps.keyring, connection), statements, { name: lease.login });
    } catch (err) {
      error = err instanceof TargetError ? err.message : 'internal error (see the server log)';
      this.deps.onFailure?.({ leaseId: lease.id, login: lease.login, attempts, message: err instanceof Error ? err.message : String(err) });
    }
    const at = clock.now();
    if (error !== null) {
      await store.databases.finishRevocation(lease.id, claimUntil, {
        state: 'revoking',
        attempts,
        nextAttemptAt: retryAt(this.o.backoffSeconds, attempts, at),
        lastError: error,
        revokedAt: null,
      });
      return true;
    }
    await store.transaction(async (tx) => {
      const finished = await tx.databases.finishRevocation(lease.id, claimUntil, {
        state: 'revoked',
        attempts,
        nextAttemptAt: null,
        lastError: null,
        revokedAt: at,
      });
      if (!finished) return; // the claim lapsed and another node took over: it writes the outcome
      await appendAudit(
        tx,
        clock,
        { id: 'system', workspaceId: lease.workspaceId, ip: null },
        {
          action: 'database_lease.revoked',
          target: lease.id,
          details: { leaseId: lease.id, role: lease.roleName, login: lease.login, reason: lease.revokeReason ?? 'expired', attempts },
        },
      );
    });
    return true;
  }
}
