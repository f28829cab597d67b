import type { Kysely } from 'kysely';

/**
 * Rotation of API keys. A keyspace policy gains a maximum key lifetime and a rotation schedule
 * (every N days, told ahead, with a grace past the due date); `key_rollovers` holds each
 * usage-driven roll: the predecessor works until its successor is in use and its own traffic has
 * stopped for the quiet period, or until the hard deadline.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('keyspace_policies').addColumn('max_key_lifetime_days', 'integer').execute();
  await db.schema.alterTable('keyspace_policies').addColumn('rotation_interval_days', 'integer').execute();
  await db.schema
    .alterTable('keyspace_policies')
    .addColumn('rotation_notice_days', 'integer', (c) => c.notNull().defaultTo(7))
    .execute();
  await db.schema
    .alterTable('keyspace_policies')
    .addColumn('rotation_grace_days', 'integer', (c) => c.notNull().defaultTo(7))
    .execute();
  await db.schema
    .createTable('key_rollovers')
    .addColumn('predecessor_id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('successor_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('workspace_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('keyspace_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('quiet_period_seconds', 'integer', (c) => c.notNull())
    .addColumn('deadline', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('successor_first_used_at', 'bigint')
    .addColumn('retired_at', 'bigint')
    .addColumn('retired_reason', 'varchar(16)')
    .execute();
  // The retirement job reads the rollovers still open.
  await db.schema.createIndex('key_rollovers_open').on('key_rollovers').columns(['retired_at', 'deadline']).execute();
}
