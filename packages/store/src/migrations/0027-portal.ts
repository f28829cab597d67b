import type { Kysely } from 'kysely';

/**
 * The self-service portal for key owners. A keyspace keeps its portal settings (limits and
 * branding) as JSON text, null until set; `portal_sessions` holds each session handed to an owner:
 * the keyed hash of its single-use link and, once opened, of its cookie. No token is stored.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('keyspaces').addColumn('portal_settings', 'text').execute();
  await db.schema
    .createTable('portal_sessions')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('workspace_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('keyspace_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('owner_id', 'varchar(256)', (c) => c.notNull())
    .addColumn('return_url', 'text', (c) => c.notNull())
    .addColumn('link_hash', 'varchar(128)', (c) => c.notNull().unique())
    .addColumn('link_expires_at', 'bigint', (c) => c.notNull())
    .addColumn('opened_at', 'bigint')
    .addColumn('session_hash', 'varchar(128)', (c) => c.unique())
    .addColumn('session_expires_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}
