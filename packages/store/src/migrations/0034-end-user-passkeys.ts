import type { Kysely } from 'kysely';

/**
 * End users' passkeys (WebAuthn), a second factor after the password like their TOTP: the
 * credential's public key (nothing secret), its signature counter and transports, a name, when it
 * was added and last used. An end user's session is a sealed cookie, not a row, so the user's row
 * holds the one WebAuthn challenge they may answer (registration or sign-in) until it is used:
 * the same three columns as a console session's.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('end_user_passkeys')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull().references('end_users.id'))
    .addColumn('credential_id', 'varchar(1400)', (c) => c.notNull().unique())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('counter', 'bigint', (c) => c.notNull())
    .addColumn('transports', 'text', (c) => c.notNull())
    .addColumn('name', 'varchar(100)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .execute();
  await db.schema.createIndex('end_user_passkeys_user').on('end_user_passkeys').column('user_id').execute();

  // One column a statement: SQLite adds no more.
  await db.schema.alterTable('end_users').addColumn('challenge', 'varchar(128)').execute();
  await db.schema.alterTable('end_users').addColumn('challenge_purpose', 'varchar(16)').execute();
  await db.schema.alterTable('end_users').addColumn('challenge_expires_at', 'bigint').execute();
}
