import type { Kysely } from 'kysely';
import { collateIdsOnPostgres, CREATED_AND_UPDATED, createTables } from './tables.js';

/**
 * Dynamic database credentials: target connections (the admin password as keyring ciphertext),
 * roles (statements and TTLs) and leases (a login handed out, its expiry and its revocation
 * queue). No password of a lease is stored anywhere.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await createTables(db, {
    database_connections: {
      id: 'varchar(32) primary key',
      workspace_id: 'varchar(32) not null',
      name: 'varchar(64) not null',
      plugin: 'varchar(32) not null',
      host: 'varchar(255) not null',
      port: 'integer not null',
      database: 'varchar(64) not null',
      tls_mode: 'varchar(16) not null',
      username: 'varchar(64) not null',
      password_ciphertext: 'text not null',
      ...CREATED_AND_UPDATED,
      database_connections_name: 'unique (workspace_id, name)',
    },
    database_roles: {
      id: 'varchar(32) primary key',
      workspace_id: 'varchar(32) not null',
      name: 'varchar(64) not null',
      connection_id: 'varchar(32) not null references database_connections.id',
      creation_statements: 'text not null',
      revocation_statements: 'text',
      renew_statements: 'text',
      default_ttl_seconds: 'integer not null',
      max_ttl_seconds: 'integer not null',
      ...CREATED_AND_UPDATED,
      database_roles_name: 'unique (workspace_id, name)',
    },
    database_leases: {
      id: 'varchar(32) primary key',
      workspace_id: 'varchar(32) not null',
      role_id: 'varchar(32) not null',
      role_name: 'varchar(64) not null',
      connection_id: 'varchar(32) not null',
      login: 'varchar(64) not null',
      state: 'varchar(16) not null',
      issued_to: 'varchar(128) not null',
      issued_at: 'bigint not null',
      expires_at: 'bigint not null',
      max_expires_at: 'bigint not null',
      renewals: 'integer not null',
      revoke_reason: 'varchar(16)',
      attempts: 'integer not null',
      next_attempt_at: 'bigint',
      last_error: 'varchar(512)',
      revoked_at: 'bigint',
      // The revoker's queue: leases not revoked yet, by when they are next due.
      database_leases_due: 'index (state, next_attempt_at)',
      database_leases_workspace: 'index (workspace_id, id)',
      database_leases_role: 'index (role_id, state)',
    },
  });
  await collateIdsOnPostgres(db, 'varchar(32)', {
    database_connections: ['id', 'workspace_id'],
    database_roles: ['id', 'workspace_id', 'connection_id'],
    database_leases: ['id', 'workspace_id', 'role_id', 'connection_id'],
  });
}
