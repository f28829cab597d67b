import type { Kysely } from 'kysely';

/**
 * Pushed authorization requests (RFC 9126): the requests clients push, kept by the keyed hash of
 * their `request_uri` until they expire or yield a code, and the per-client "PAR required".
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('oauth_clients')
    .addColumn('require_par', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createTable('oauth_pushed_requests')
    .addColumn('hash', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('workspace_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('client_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .execute();
  await db.schema.createIndex('oauth_pushed_requests_expiry').on('oauth_pushed_requests').column('expires_at').execute();
}
