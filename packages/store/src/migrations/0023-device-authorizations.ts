import type { Kysely } from 'kysely';

/**
 * The device authorization grant (RFC 8628): requests waiting for a user on the verification
 * page, kept as keyed hashes of their device and user codes — neither code is stored in the clear.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('oauth_device_authorizations')
    .addColumn('device_code_hash', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('user_code_hash', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('workspace_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('client_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('interval', 'integer', (c) => c.notNull())
    .addColumn('last_polled_at', 'bigint')
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(64)')
    .addColumn('auth_time', 'bigint')
    .addColumn('amr', 'text')
    .addColumn('decided_at', 'bigint')
    .execute();
  await db.schema.createIndex('oauth_device_authorizations_expiry').on('oauth_device_authorizations').column('expires_at').execute();
}
