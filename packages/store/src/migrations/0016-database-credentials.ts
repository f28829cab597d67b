import { PostgresAdapter, sql, type Kysely } from 'kysely';

/**
 * Dynamic database credentials: target connections (the admin password as keyring ciphertext),
 * roles (statements and TTLs) and leases (a login handed out, its expiry and its revocation
 * queue). No password of a lease is stored anywhere.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('database_connections')
    .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('workspace_id', 'varchar(32)', (c) => c.notNull())
    .addColumn('name', 'varchar(64)', (c) => c.notNull())
    .addColumn('plugin', 'varchar(32)', (c) => c.notNull())
    .addColumn('host', 'varchar(255)', (c) => c.notNull())
    .addColumn('port', 'integer', (c) => c.notNull())
    .addColumn('database', 'varchar(64)', (c) => c.notNull())
    .addColumn('tls_mode', 'varchar(16)', (c) => c.notNull())
    .addColumn('username', 'varchar(64)', (c) => c.notNull())
    .addColumn('password_ciphertext', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('database_connections_name', ['workspace_id', 'name'])
    .execute();
  await db.schema
    .createTable('database_roles')
    .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('workspace_id', 'varchar(32)', (c) => c.notNull())
    .addColumn('name', 'varchar(64)', (c) => c.notNull())
    .addColumn('connection_id', 'varchar(32)', (c) => c.notNull().references('database_connections.id'))
    .addColumn('creation_statements', 'text', (c) => c.notNull())
    .addColumn('revocation_statements', 'text')
    .addColumn('renew_statements', 'text')
    .addColumn('default_ttl_seconds', 'integer', (c) => c.notNull())
    .addColumn('max_ttl_seconds', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('database_roles_name', ['workspace_id', 'name'])
    .execute();
  await db.schema
    .createTable('database_leases')
    .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('workspace_id', 'varchar(32)', (c) => c.notNull())
    .addColumn('role_id', 'varchar(32)', (c) => c.notNull())
    .addColumn('role_name', 'varchar(64)', (c) => c.notNull())
    .addColumn('connection_id', 'varchar(32)', (c) => c.notNull())
    .addColumn('login', 'varchar(64)', (c) => c.notNull())
    .addColumn('state', 'varchar(16)', (c) => c.notNull())
    .addColumn('issued_to', 'varchar(128)', (c) => c.notNull())
    .addColumn('issued_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('max_expires_at', 'bigint', (c) => c.notNull())
    .addColumn('renewals', 'integer', (c) => c.notNull())
    .addColumn('revoke_reason', 'varchar(16)')
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'bigint')
    .addColumn('last_error', 'varchar(512)')
    .addColumn('revoked_at', 'bigint')
    .execute();
  // The revoker's queue: leases not revoked yet, by when they are next due.
  await db.schema.createIndex('database_leases_due').on('database_leases').columns(['state', 'next_attempt_at']).execute();
  await db.schema.createIndex('database_leases_workspace').on('database_leases').columns(['workspace_id', 'id']).execute();
  await db.schema.createIndex('database_leases_role').on('database_leases').columns(['role_id', 'state']).execute();
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    // Ids sort by creation time in byte order only (see 0007).
    for (const [table, columns] of [
      ['database_connections', ['id', 'workspace_id']],
      ['database_roles', ['id', 'workspace_id', 'connection_id']],
      ['database_leases', ['id', 'workspace_id', 'role_id', 'connection_id']],
    ] as const)
      for (const column of columns)
        await sql`alter table ${sql.id(table)} alter column ${sql.id(column)} type varchar(32) collate "C"`.execute(db);
  }
}
