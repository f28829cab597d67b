import type { Kysely } from 'kysely';

/**
 * End users' second factor and the hosted pages' branding: an end user's TOTP secret (sealed, as
 * the console's are), the one offered while they enrol, and the last time step accepted; and per
 * workspace the name, logo and colour its sign-in, consent, device and account pages show.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // One column a statement: SQLite adds no more.
  await db.schema.alterTable('end_users').addColumn('totp_secret', 'text').execute();
  await db.schema.alterTable('end_users').addColumn('totp_pending', 'text').execute();
  await db.schema.alterTable('end_users').addColumn('totp_last_step', 'bigint').execute();
  await db.schema
    .createTable('workspace_branding')
    .addColumn('workspace_id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(100)')
    .addColumn('logo_url', 'varchar(2048)')
    .addColumn('color', 'varchar(7)')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}
