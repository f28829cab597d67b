import type { Kysely } from 'kysely';

/**
 * WebAuthn passkeys as a console second factor. A credential's public key is public; the session
 * row holds the one WebAuthn challenge it may answer (registration or sign-in) until it is used.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('console_passkeys')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull().references('console_users.id'))
    .addColumn('credential_id', 'varchar(1400)', (c) => c.notNull().unique())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('counter', 'bigint', (c) => c.notNull())
    .addColumn('transports', 'text', (c) => c.notNull())
    .addColumn('name', 'varchar(100)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .execute();
  await db.schema.createIndex('console_passkeys_user').on('console_passkeys').column('user_id').execute();

  await db.schema.alterTable('console_sessions').addColumn('challenge', 'varchar(128)').execute();
  await db.schema.alterTable('console_sessions').addColumn('challenge_purpose', 'varchar(16)').execute();
  await db.schema.alterTable('console_sessions').addColumn('challenge_expires_at', 'bigint').execute();
}
