import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('workspaces')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(200)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('keyspaces')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('workspace_id', 'varchar(64)', (c) => c.notNull().references('workspaces.id'))
    .addColumn('name', 'varchar(200)', (c) => c.notNull())
    .addColumn('prefix', 'varchar(16)', (c) => c.notNull())
    .addColumn('recoverable', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('keyspaces_workspace').on('keyspaces').columns(['workspace_id', 'id']).execute();

  await db.schema
    .createTable('keys')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('workspace_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('keyspace_id', 'varchar(64)', (c) => c.notNull().references('keyspaces.id'))
    .addColumn('hash', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('pepper_version', 'integer', (c) => c.notNull())
    .addColumn('start', 'varchar(64)', (c) => c.notNull())
    .addColumn('owner_id', 'varchar(256)')
    .addColumn('name', 'varchar(256)')
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('meta', 'text')
    .addColumn('environment', 'varchar(64)')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint')
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .addColumn('revoke_reason', 'varchar(512)')
    .addColumn('deleted_at', 'bigint')
    .addColumn('ip_allowlist', 'text', (c) => c.notNull())
    .addColumn('ratelimits', 'text', (c) => c.notNull())
    .addColumn('credits_remaining', 'bigint')
    .addColumn('credits_refill_amount', 'bigint')
    .addColumn('credits_refill_interval', 'bigint')
    .addColumn('credits_refilled_at', 'bigint')
    .addColumn('last_used_at', 'bigint')
    .addColumn('usage_count', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('rolled_to_id', 'varchar(64)')
    .execute();
  await db.schema.createIndex('keys_keyspace').on('keys').columns(['keyspace_id', 'id']).execute();
  await db.schema.createIndex('keys_owner').on('keys').columns(['workspace_id', 'owner_id']).execute();

  await db.schema
    .createTable('root_keys')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('workspace_id', 'varchar(64)', (c) => c.notNull().references('workspaces.id'))
    .addColumn('name', 'varchar(200)', (c) => c.notNull())
    .addColumn('hash', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('pepper_version', 'integer', (c) => c.notNull())
    .addColumn('start', 'varchar(64)', (c) => c.notNull())
    .addColumn('permissions', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .addColumn('last_used_at', 'bigint')
    .execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('seq', 'bigint', (c) => c.primaryKey())
    .addColumn('id', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('ts', 'bigint', (c) => c.notNull())
    .addColumn('workspace_id', 'varchar(64)')
    .addColumn('actor', 'varchar(128)', (c) => c.notNull())
    .addColumn('action', 'varchar(64)', (c) => c.notNull())
    .addColumn('target', 'varchar(256)')
    .addColumn('ip', 'varchar(64)')
    .addColumn('details', 'text', (c) => c.notNull())
    .addColumn('prev_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('hash', 'varchar(64)', (c) => c.notNull())
    .execute();

  // One row holding the chain's head. Appends lock it, so entries get gap-free sequence numbers
  // in commit order, on every node.
  await db.schema
    .createTable('audit_head')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('hash', 'varchar(64)', (c) => c.notNull())
    .execute();
  await db
    .insertInto('audit_head' as never)
    .values({ id: 1, seq: 0, hash: '0'.repeat(64) } as never)
    .execute();
}
