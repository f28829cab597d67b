import { PostgresAdapter, sql, type Kysely } from 'kysely';

/**
 * Sign-in with an upstream OpenID Provider: the workspace's providers (client secrets encrypted
 * under the workspace's data key), the upstream accounts linked to end users, and the sign-ins
 * sent upstream and not back yet (kept by the keyed hash of their `state`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('oauth_upstream_providers')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('workspace_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('name', 'varchar(100)', (c) => c.notNull())
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('client_id', 'varchar(255)', (c) => c.notNull())
    .addColumn('client_secret_ciphertext', 'text', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('claim_mapping', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('oauth_upstream_providers_workspace_name', ['workspace_id', 'name'])
    .execute();

  await db.schema
    .createTable('end_user_upstream_links')
    .addColumn('provider_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('subject', 'varchar(255)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('workspace_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('end_user_upstream_links_pk', ['provider_id', 'subject'])
    .execute();
  await db.schema.createIndex('end_user_upstream_links_user').on('end_user_upstream_links').column('user_id').execute();

  await db.schema
    .createTable('oauth_federated_sign_ins')
    .addColumn('state_hash', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('workspace_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('provider_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('binding_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('request', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .execute();
  await db.schema.createIndex('oauth_federated_sign_ins_expiry').on('oauth_federated_sign_ins').column('expires_at').execute();

  // Ids sort by creation time in byte order only (see migration 0007).
  if (db.getExecutor().adapter instanceof PostgresAdapter)
    await sql`alter table oauth_upstream_providers alter column id type varchar(64) collate "C"`.execute(db);
}
