import type { Kysely } from 'kysely';

/**
 * Root keys get what API keys have: an expiry, an IP allowlist, a link to the key they were
 * rolled to, and a list of keyspaces they are limited to (null: every keyspace of the workspace).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('root_keys').addColumn('expires_at', 'bigint').execute();
  await db.schema
    .alterTable('root_keys')
    .addColumn('ip_allowlist', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
  await db.schema.alterTable('root_keys').addColumn('keyspace_ids', 'text').execute();
  await db.schema.alterTable('root_keys').addColumn('rolled_to_id', 'varchar(64)').execute();
}
