import type { Kysely } from 'kysely';

/**
 * Console sign-in with the deployment's upstream OpenID Provider: which console user an upstream
 * account (its `iss` and `sub`) signs in as. The pending sign-ins share `oauth_federated_sign_ins`
 * (migration 0032), hashed under the console's own domains.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('console_sso_links')
    .addColumn('issuer', 'varchar(512)', (c) => c.notNull())
    .addColumn('subject', 'varchar(255)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('console_sso_links_pk', ['issuer', 'subject'])
    .execute();
  await db.schema.createIndex('console_sso_links_user').on('console_sso_links').column('user_id').execute();
}
