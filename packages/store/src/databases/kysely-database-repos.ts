import type { DatabaseConnectionRecord, DatabaseLeaseRecord, DatabaseRepos, DatabaseRoleRecord } from '@tessera/core';
import { sql } from 'kysely';
import { nullableNumberColumn, numberColumn, RecordColumns } from '../record-columns.js';
import { OwnTablesAdapter } from '../own-tables.js';
import { dueRows, insertRow, rowsWhere, rowWhere, wroteOne } from '../rows.js';
import type { DatabaseTables } from './database-schema.js';

const CONNECTION_COLUMNS = new RecordColumns<DatabaseConnectionRecord>({
  id: 'id',
  workspaceId: 'workspace_id',
  name: 'name',
  plugin: 'plugin',
  host: 'host',
  port: numberColumn('port'),
  database: 'database',
  tlsMode: 'tls_mode',
  username: 'username',
  passwordCiphertext: 'password_ciphertext',
  createdAt: numberColumn('created_at'),
  updatedAt: numberColumn('updated_at'),
});
const ROLE_COLUMNS = new RecordColumns<DatabaseRoleRecord>({
  id: 'id',
  workspaceId: 'workspace_id',
  name: 'name',
  connectionId: 'connection_id',
  creationStatements: 'creation_statements',
  revocationStatements: 'revocation_statements',
  renewStatements: 'renew_statements',
  defaultTtlSeconds: numberColumn('default_ttl_seconds'),
  maxTtlSeconds: numberColumn('max_ttl_seconds'),
  createdAt: numberColumn('created_at'),
  updatedAt: numberColumn('updated_at'),
});
const LEASE_COLUMNS = new RecordColumns<DatabaseLeaseRecord>({
  id: 'id',
  workspaceId: 'workspace_id',
  roleId: 'role_id',
  roleName: 'role_name',
  connectionId: 'connection_id',
  login: 'login',
  state: 'state',
  issuedTo: 'issued_to',
  issuedAt: numberColumn('issued_at'),
  expiresAt: numberColumn('expires_at'),
  maxExpiresAt: numberColumn('max_expires_at'),
  renewals: numberColumn('renewals'),
  revokeReason: 'revoke_reason',
  attempts: numberColumn('attempts'),
  nextAttemptAt: nullableNumberColumn('next_attempt_at'),
  lastError: 'last_error',
  revokedAt: nullableNumberColumn('revoked_at'),
});

/** The port of dynamic database credentials over a Kysely handle — the whole database, or one transaction. */
export class KyselyDatabaseRepos extends OwnTablesAdapter<DatabaseTables> implements DatabaseRepos {
  insertConnection(c: DatabaseConnectionRecord): Promise<void> {
    return insertRow(this.db, 'database_connections', CONNECTION_COLUMNS.write(c));
  }

  async updateConnection(id: string, patch: Partial<DatabaseConnectionRecord>): Promise<void> {
    await this.db.updateTable('database_connections').set(CONNECTION_COLUMNS.write(patch)).where('id', '=', id).execute();
  }

  getConnection(workspaceId: string, name: string): Promise<DatabaseConnectionRecord | undefined> {
    return rowWhere(this.db, 'database_connections', { workspace_id: workspaceId, name }, (r) => CONNECTION_COLUMNS.read(r));
  }

  getConnectionById(id: string): Promise<DatabaseConnectionRecord | undefined> {
    return rowWhere(this.db, 'database_connections', { id }, (r) => CONNECTION_COLUMNS.read(r));
  }

  listConnections(workspaceId: string): Promise<DatabaseConnectionRecord[]> {
    return rowsWhere(this.db, 'database_connections', { workspace_id: workspaceId }, 'name', (r) => CONNECTION_COLUMNS.read(r));
  }

  async deleteConnection(id: string): Promise<void> {
    await this.db.deleteFrom('database_connections').where('id', '=', id).execute();
  }

  insertRole(r: DatabaseRoleRecord): Promise<void> {
    return insertRow(this.db, 'database_roles', ROLE_COLUMNS.write(r));
  }

  async updateRole(id: string, patch: Partial<DatabaseRoleRecord>): Promise<void> {
    // A null statement is a value here (back to the default), so the patch is written field by field.
    const row = ROLE_COLUMNS.write(patch);
    if (patch.revocationStatements === null) row.revocation_statements = null;
    if (patch.renewStatements === null) row.renew_statements = null;
    await this.db.updateTable('database_roles').set(row).where('id', '=', id).execute();
  }

  getRole(workspaceId: string, name: string): Promise<DatabaseRoleRecord | undefined> {
    return rowWhere(this.db, 'database_roles', { workspace_id: workspaceId, name }, (r) => ROLE_COLUMNS.read(r));
  }

  async listRoles(workspaceId: string, connectionId?: string): Promise<DatabaseRoleRecord[]> {
    let query = this.db.selectFrom('database_roles').selectAll().where('workspace_id', '=', workspaceId);
    if (connectionId !== undefined) query = query.where('connection_id', '=', connectionId);
    return (await query.orderBy('name').execute()).map((r) => ROLE_COLUMNS.read(r));
  }

  async deleteRole(id: string): Promise<void> {
    await this.db.deleteFrom('database_roles').where('id', '=', id).execute();
  }

  insertLease(l: DatabaseLeaseRecord): Promise<void> {
    return insertRow(this.db, 'database_leases', LEASE_COLUMNS.write(l));
  }

  getLease(id: string): Promise<DatabaseLeaseRecord | undefined> {
    return rowWhere(this.db, 'database_leases', { id }, (r) => LEASE_COLUMNS.read(r));
  }

  async listLeases(q: Parameters<DatabaseRepos['listLeases']>[0]): Promise<DatabaseLeaseRecord[]> {
    let query = this.db.selectFrom('database_leases').selectAll().where('workspace_id', '=', q.workspaceId);
    if (q.roleId !== undefined) query = query.where('role_id', '=', q.roleId);
    if (q.state !== undefined) query = query.where('state', '=', q.state);
    if (q.beforeId !== undefined) query = query.where('id', '<', q.beforeId);
    return (await query.orderBy('id', 'desc').limit(q.limit).execute()).map((r) => LEASE_COLUMNS.read(r));
  }

  async countOpenLeases(roleId: string): Promise<number> {
    const row = await this.db
      .selectFrom('database_leases')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('role_id', '=', roleId)
      .where('state', '!=', 'revoked')
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async extendLease(id: string, expectedExpiresAt: number, expiresAt: number): Promise<boolean> {
    const r = await this.db
      .updateTable('database_leases')
      .set((eb) => ({ expires_at: expiresAt, next_attempt_at: expiresAt, renewals: eb('renewals', '+', 1) }))
      .where('id', '=', id)
      .where('state', '=', 'active')
      .where('expires_at', '=', expectedExpiresAt)
      .executeTakeFirst();
    return wroteOne(r);
  }

  async requestRevocation(id: string, now: number, reason: 'requested' | 'failed'): Promise<boolean> {
    const r = await this.db
      .updateTable('database_leases')
      .set({ state: 'revoking', revoke_reason: reason, next_attempt_at: now })
      .where('id', '=', id)
      .where('state', '=', 'active')
      .executeTakeFirst();
    return wroteOne(r);
  }

  listDueLeases(now: number, limit: number): Promise<DatabaseLeaseRecord[]> {
    const q = { now, key: 'id', limit, state: ['state', ['active', 'revoking']] } as const;
    return dueRows(this.db, 'database_leases', q, (r) => LEASE_COLUMNS.read(r));
  }

  async claimLease(id: string, expectedNextAttemptAt: number, claimUntil: number): Promise<boolean> {
    const r = await this.db
      .updateTable('database_leases')
      .set({
        state: 'revoking',
        revoke_reason: sql<string>`case when state = 'active' then 'expired' else revoke_reason end`,
        next_attempt_at: claimUntil,
      })
      .where('id', '=', id)
      .where('state', 'in', ['active', 'revoking'])
      .where('next_attempt_at', '=', expectedNextAttemptAt)
      .executeTakeFirst();
    return wroteOne(r);
  }

  async finishRevocation(id: string, claimUntil: number, o: Parameters<DatabaseRepos['finishRevocation']>[2]): Promise<boolean> {
    const r = await this.db
      .updateTable('database_leases')
      .set({
        state: o.state,
        attempts: o.attempts,
        next_attempt_at: o.nextAttemptAt,
        last_error: o.lastError === null ? null : o.lastError.slice(0, 512),
        revoked_at: o.revokedAt,
      })
      .where('id', '=', id)
      .where('state', '=', 'revoking')
      .where('next_attempt_at', '=', claimUntil)
      .executeTakeFirst();
    return wroteOne(r);
  }
}
