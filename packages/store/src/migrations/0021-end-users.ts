import { PostgresAdapter, sql, type Kysely } from 'kysely';

/**
 * Tokens for people: a workspace's end users, the consents they gave clients, authorization codes,
 * and the redirect URIs of clients. Nothing here is a secret in the clear: passwords are argon2id
 * hashes and codes are kept as keyed hashes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('oauth_clients')
    .addColumn('redirect_uris', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();

  await db.schema
    .createTable('end_users')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('workspace_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('email', 'varchar(254)', (c) => c.notNull())
    .addColumn('email_verified', 'integer', (c) => c.notNull())
    .addColumn('name', 'varchar(200)')
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('disabled_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('last_sign_in_at', 'bigint')
    .addUniqueConstraint('end_users_workspace_email', ['workspace_id', 'email'])
    .execute();

  await db.schema
    .createTable('oauth_consents')
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('client_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('workspace_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('oauth_consents_pk', ['user_id', 'client_id'])
    .execute();

  await db.schema
    .createTable('oauth_authorization_codes')
    .addColumn('hash', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('workspace_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('client_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('redirect_uri', 'text', (c) => c.notNull())
    .addColumn('code_challenge', 'varchar(64)', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text')
    .addColumn('auth_time', 'bigint', (c) => c.notNull())
    .addColumn('amr', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .addColumn('family_id', 'varchar(64)')
    .addColumn('access_token_jti', 'varchar(64)')
    .addColumn('access_token_expires_at', 'bigint')
    .execute();
  await db.schema.createIndex('oauth_authorization_codes_expiry').on('oauth_authorization_codes').column('expires_at').execute();

  // Ids sort by creation time in byte order only (see migration 0007).
  if (db.getExecutor().adapter instanceof PostgresAdapter)
    for (const [table, column] of [
      ['end_users', 'id'],
      ['end_users', 'workspace_id'],
    ] as const)
      await sql`alter table ${sql.id(table)} alter column ${sql.id(column)} type varchar(64) collate "C"`.execute(db);
}
