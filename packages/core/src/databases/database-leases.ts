import { appendAudit, type Actor } from '../audit/audit-chain.js';
import { TesseraError } from '../errors.js';
import { newId } from '../ids.js';
import { generateLoginName, generatePassword } from './credential-names.js';
import { openConnection, targetFailure, workspaceOf, type DatabaseDeps } from './database-admin.js';
import type { DatabaseConnectionRecord, DatabaseLeaseRecord, LeaseState } from './database-records.js';
import type { LeaseRevoker } from './lease-revoker.js';
import { DEFAULT_RENEW_STATEMENTS } from './statement-templates.js';

/** A credential as issued: the lease, the password (shown this once, kept nowhere), and where to use it. */
export interface IssuedCredential {
  lease: DatabaseLeaseRecord;
  password: string;
  target: Pick<DatabaseConnectionRecord, 'host' | 'port' | 'database' | 'tlsMode'>;
}

/**
 * Dynamic database credentials (docs/dynamic-secrets.md): a fresh login and password per request,
 * living for a lease that can be renewed up to the role's maximum TTL and revoked; the
 * {@link LeaseRevoker} drops the login when the lease ends. Every issue, renewal and revocation is
 * audited with the lease id, the role and the login — never the password.
 */
export class DatabaseLeases {
  constructor(
    private readonly deps: DatabaseDeps,
    private readonly revoker: LeaseRevoker,
  ) {}

  /** Issues a credential of a role, for `ttlSeconds` (default: the role's; at most its maximum). */
  async issue(actor: Actor, roleName: string, ttlSeconds?: number): Promise<IssuedCredential> {
    const workspaceId = workspaceOf(actor);
    if (ttlSeconds !== undefined && (!Number.isInteger(ttlSeconds) || ttlSeconds < 1))
      throw new TesseraError('VALIDATION_FAILED', 'ttlSeconds must be a whole number of seconds, at least 1');
    const { store, clock } = this.deps;
    const role = await store.databases.getRole(workspaceId, roleName);
    if (role === undefined) throw new TesseraError('NOT_FOUND', 'No such role.');
    const connection = await store.databases.getConnectionById(role.connectionId);
    if (connection === undefined) throw new TesseraError('NOT_FOUND', 'The role’s connection is gone.');
    const target = await openConnection(this.deps.keyring, connection);
    const now = clock.now();
    const lease: DatabaseLeaseRecord = {
      id: newId('databaseLease', now),
      workspaceId,
      roleId: role.id,
      roleName: role.name,
      connectionId: connection.id,
      login: generateLoginName(role.name),
      state: 'active',
      issuedTo: actor.id,
      issuedAt: now,
      expiresAt: now + Math.min(ttlSeconds ?? role.defaultTtlSeconds, role.maxTtlSeconds) * 1000,
      maxExpiresAt: now + role.maxTtlSeconds * 1000,
      renewals: 0,
      revokeReason: null,
      attempts: 0,
      nextAttemptAt: null,
      lastError: null,
      revokedAt: null,
    };
    lease.nextAttemptAt = lease.expiresAt;
    // The lease is stored (and audited) before the login exists: a crash in between leaves a lease
    // whose revocation finds nothing to drop, never a login no lease will drop.
    await store.transaction(async (tx) => {
      await tx.databases.insertLease(lease);
      await appendAudit(tx, clock, actor, {
        action: 'database_lease.issued',
        target: lease.id,
        details: { leaseId: lease.id, role: role.name, login: lease.login, expiresAt: new Date(lease.expiresAt).toISOString() },
      });
    });
    const password = generatePassword();
    try {
      await this.deps.target.createLogin(target, role.creationStatements, { name: lease.login, password, expiresAt: lease.expiresAt });
    } catch (err) {
      // Whatever part of the statements ran is undone by the revocation, now or on a later attempt.
      await store.databases.requestRevocation(lease.id, clock.now(), 'failed');
      const fresh = await store.databases.getLease(lease.id);
      if (fresh !== undefined) await this.revoker.attempt(fresh).catch(() => false);
      throw targetFailure(err, 'the creation statements failed');
    }
    return {
      lease,
      password,
      target: { host: connection.host, port: connection.port, database: connection.database, tlsMode: connection.tlsMode },
    };
  }

  /** Extends an active lease by `incrementSeconds` from now (default: the role's TTL), never past its maximum. */
  async renew(actor: Actor, leaseId: string, incrementSeconds?: number): Promise<DatabaseLeaseRecord> {
    if (incrementSeconds !== undefined && (!Number.isInteger(incrementSeconds) || incrementSeconds < 1))
      throw new TesseraError('VALIDATION_FAILED', 'incrementSeconds must be a whole number of seconds, at least 1');
    const { store, clock } = this.deps;
    const lease = await this.get(actor, leaseId);
    const now = clock.now();
    if (lease.state !== 'active' || lease.expiresAt <= now)
      throw new TesseraError('CONFLICT', 'The lease has ended; request a new credential.');
    const role = await store.databases.getRole(lease.workspaceId, lease.roleName);
    const increment = incrementSeconds ?? role?.defaultTtlSeconds ?? 3_600;
    const expiresAt = Math.max(lease.expiresAt, Math.min(now + increment * 1000, lease.maxExpiresAt));
    const connection = await store.databases.getConnectionById(lease.connectionId);
    if (connection === undefined) throw new TesseraError('NOT_FOUND', 'The lease’s connection is gone.');
    const statements = (role?.id === lease.roleId ? role.renewStatements : null) ?? DEFAULT_RENEW_STATEMENTS;
    try {
      await this.deps.target.renewLogin(await openConnection(this.deps.keyring, connection), statements, { name: lease.login, expiresAt });
    } catch (err) {
      throw targetFailure(err, 'the renewal statements failed');
    }
    return store.transaction(async (tx) => {
      if (!(await tx.databases.extendLease(lease.id, lease.expiresAt, expiresAt)))
        throw new TesseraError('CONFLICT', 'The lease changed meanwhile (renewed, or ended); read it again.');
      await appendAudit(tx, clock, actor, {
        action: 'database_lease.renewed',
        target: lease.id,
        details: {
          leaseId: lease.id,
          role: lease.roleName,
          login: lease.login,
          expiresAt: new Date(expiresAt).toISOString(),
          capped: expiresAt === lease.maxExpiresAt,
        },
      });
      return { ...lease, expiresAt, nextAttemptAt: expiresAt, renewals: lease.renewals + 1 };
    });
  }

  /**
   * Revokes a lease: its login is dropped and its sessions ended now, or — if the target fails —
   * by the revoker's retries; the answer shows which (`revoked`, or `revoking` with the last error).
   */
  async revoke(actor: Actor, leaseId: string): Promise<DatabaseLeaseRecord> {
    const { store, clock } = this.deps;
    const lease = await this.get(actor, leaseId);
    if (lease.state === 'active') {
      await store.transaction(async (tx) => {
        if (!(await tx.databases.requestRevocation(lease.id, clock.now(), 'requested'))) return;
        await appendAudit(tx, clock, actor, {
          action: 'database_lease.revocation_requested',
          target: lease.id,
          details: { leaseId: lease.id, role: lease.roleName, login: lease.login },
        });
      });
    }
    const due = await store.databases.getLease(lease.id);
    if (due !== undefined && due.state === 'revoking') await this.revoker.attempt(due);
    return (await store.databases.getLease(lease.id)) ?? lease;
  }

  async get(actor: Actor, leaseId: string): Promise<DatabaseLeaseRecord> {
    const lease = await this.deps.store.databases.getLease(leaseId);
    if (lease === undefined || lease.workspaceId !== workspaceOf(actor)) throw new TesseraError('NOT_FOUND', 'No such lease.');
    return lease;
  }

  /** The workspace's leases, newest first (never a password: none is kept). */
  async list(
    actor: Actor,
    q: { role?: string | undefined; state?: LeaseState | undefined; limit?: number | undefined; beforeId?: string | undefined } = {},
  ): Promise<DatabaseLeaseRecord[]> {
    const workspaceId = workspaceOf(actor);
    let roleId: string | undefined;
    if (q.role !== undefined) {
      const role = await this.deps.store.databases.getRole(workspaceId, q.role);
      if (role === undefined) return [];
      roleId = role.id;
    }
    return this.deps.store.databases.listLeases({ workspaceId, roleId, state: q.state, limit: q.limit ?? 100, beforeId: q.beforeId });
  }
}
