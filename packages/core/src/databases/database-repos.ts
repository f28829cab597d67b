import type { DatabaseConnectionRecord, DatabaseLeaseRecord, DatabaseRoleRecord, LeaseState } from './database-records.js';

/** How a revocation attempt ended, written only by the node that holds the claim. */
export type RevocationOutcome = Pick<DatabaseLeaseRecord, 'state' | 'attempts' | 'nextAttemptAt' | 'lastError' | 'revokedAt'>;

/**
 * The storage port of dynamic database credentials: target connections, roles, and leases with
 * their revocation queue. Every change of a lease is a compare-and-set, so that nodes sharing
 * the store never renew a lease being revoked, nor revoke one twice.
 */
export interface DatabaseRepos {
  insertConnection(c: DatabaseConnectionRecord): Promise<void>;
  updateConnection(id: string, patch: Omit<DatabaseConnectionRecord, 'id' | 'workspaceId' | 'name' | 'createdAt'>): Promise<void>;
  getConnection(workspaceId: string, name: string): Promise<DatabaseConnectionRecord | undefined>;
  getConnectionById(id: string): Promise<DatabaseConnectionRecord | undefined>;
  listConnections(workspaceId: string): Promise<DatabaseConnectionRecord[]>;
  deleteConnection(id: string): Promise<void>;

  insertRole(r: DatabaseRoleRecord): Promise<void>;
  updateRole(id: string, patch: Omit<DatabaseRoleRecord, 'id' | 'workspaceId' | 'name' | 'createdAt'>): Promise<void>;
  getRole(workspaceId: string, name: string): Promise<DatabaseRoleRecord | undefined>;
  /** A workspace's roles by name; with `connectionId`, those of one connection. */
  listRoles(workspaceId: string, connectionId?: string): Promise<DatabaseRoleRecord[]>;
  deleteRole(id: string): Promise<void>;

  insertLease(l: DatabaseLeaseRecord): Promise<void>;
  getLease(id: string): Promise<DatabaseLeaseRecord | undefined>;
  /** A workspace's leases, newest first; `beforeId` pages on. */
  listLeases(q: {
    workspaceId: string;
    roleId?: string | undefined;
    state?: LeaseState | undefined;
    limit: number;
    beforeId?: string | undefined;
  }): Promise<DatabaseLeaseRecord[]>;
  /** How many leases of a role are not revoked yet. */
  countOpenLeases(roleId: string): Promise<number>;
  /** Moves an active lease's expiry from `expectedExpiresAt` to `expiresAt`, if it is still active then. */
  extendLease(id: string, expectedExpiresAt: number, expiresAt: number): Promise<boolean>;
  /** Puts an active lease up for revocation at `now`; false if it is no longer active. */
  requestRevocation(id: string, now: number, reason: 'requested' | 'failed'): Promise<boolean>;
  /** Leases due for a revocation attempt at `now` (expired, or revoking and due), oldest due first. */
  listDueLeases(now: number, limit: number): Promise<DatabaseLeaseRecord[]>;
  /**
   * Takes a due lease for one revocation attempt: if its next attempt is still
   * `expectedNextAttemptAt`, it becomes `revoking` (reason `expired` if it was active) with its
   * next look at `claimUntil`. One node wins; a node that dies holding the claim lets it lapse.
   */
  claimLease(id: string, expectedNextAttemptAt: number, claimUntil: number): Promise<boolean>;
  /** Writes an attempt's outcome, if the claim made until `claimUntil` still holds. */
  finishRevocation(id: string, claimUntil: number, outcome: RevocationOutcome): Promise<boolean>;
}
