import type { DatabaseConnection, DatabaseLease, DatabaseRole } from '@tessera/api';
import type { DatabaseConnectionRecord, DatabaseLeaseRecord, DatabaseRoleRecord } from '@tessera/core';
import { iso } from '../http/views.js';

/** How connections, roles and leases look on the wire: RFC 3339 times, never a password. */
export function connectionView(c: DatabaseConnectionRecord): DatabaseConnection {
  return {
    id: c.id,
    name: c.name,
    plugin: c.plugin,
    host: c.host,
    port: c.port,
    database: c.database,
    tlsMode: c.tlsMode,
    username: c.username,
    createdAt: iso(c.createdAt),
    updatedAt: iso(c.updatedAt),
  };
}

export function roleView(r: DatabaseRoleRecord, connectionName: string): DatabaseRole {
  return {
    id: r.id,
    name: r.name,
    connection: connectionName,
    creationStatements: r.creationStatements,
    revocationStatements: r.revocationStatements,
    renewStatements: r.renewStatements,
    defaultTtlSeconds: r.defaultTtlSeconds,
    maxTtlSeconds: r.maxTtlSeconds,
    createdAt: iso(r.createdAt),
    updatedAt: iso(r.updatedAt),
  };
}

export function leaseView(l: DatabaseLeaseRecord): DatabaseLease {
  return {
    leaseId: l.id,
    role: l.roleName,
    login: l.login,
    state: l.state,
    issuedTo: l.issuedTo,
    issuedAt: iso(l.issuedAt),
    expiresAt: iso(l.expiresAt),
    maxExpiresAt: iso(l.maxExpiresAt),
    renewals: l.renewals,
    revokeReason: l.revokeReason,
    attempts: l.attempts,
    nextAttemptAt: iso(l.nextAttemptAt),
    lastError: l.lastError,
    revokedAt: iso(l.revokedAt),
  };
}
