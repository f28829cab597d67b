import type { Kysely } from 'kysely';

/** Usage events and roll-ups, anomalies, policies, suspensions, honeytokens, webhooks, notices. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('usage_events')
    .addColumn('ts', 'bigint', (c) => c.notNull())
    .addColumn('workspace_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('key_id', 'varchar(64)')
    .addColumn('keyspace_id', 'varchar(64)')
    .addColumn('owner_id', 'varchar(256)')
    .addColumn('outcome', 'varchar(24)', (c) => c.notNull())
    .addColumn('ip', 'varchar(64)')
    .addColumn('network', 'varchar(64)')
    .addColumn('user_agent', 'varchar(256)')
    .addColumn('cost', 'bigint', (c) => c.notNull())
    .addColumn('resource', 'varchar(256)')
    .addColumn('method', 'varchar(16)')
    .addColumn('scopes', 'varchar(1024)')
    .addColumn('deleted_key', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('usage_events_ts').on('usage_events').columns(['workspace_id', 'ts']).execute();
  await db.schema.createIndex('usage_events_key').on('usage_events').columns(['key_id', 'ts']).execute();

  await db.schema
    .createTable('usage_rollups')
    .addColumn('workspace_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('granularity', 'varchar(8)', (c) => c.notNull())
    .addColumn('bucket', 'bigint', (c) => c.notNull())
    .addColumn('dimension', 'varchar(16)', (c) => c.notNull())
    .addColumn('subject', 'varchar(256)', (c) => c.notNull())
    .addColumn('outcome', 'varchar(24)', (c) => c.notNull())
    .addColumn('count', 'bigint', (c) => c.notNull())
    .addColumn('cost', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('usage_rollups_pk', ['workspace_id', 'granularity', 'dimension', 'subject', 'bucket', 'outcome'])
    .execute();
  await db.schema.createIndex('usage_rollups_bucket').on('usage_rollups').columns(['granularity', 'bucket']).execute();

  await db.schema
    .createTable('key_scope_usage')
    .addColumn('key_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('scope', 'varchar(128)', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('key_scope_usage_pk', ['key_id', 'scope'])
    .execute();

  await db.schema
    .createTable('anomalies')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('workspace_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('kind', 'varchar(32)', (c) => c.notNull())
    .addColumn('severity', 'varchar(16)', (c) => c.notNull())
    .addColumn('key_id', 'varchar(64)')
    .addColumn('keyspace_id', 'varchar(64)')
    .addColumn('subject', 'varchar(256)', (c) => c.notNull())
    .addColumn('explanation', 'text', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'varchar(512)', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('count', 'bigint', (c) => c.notNull())
    .addColumn('first_event_at', 'bigint', (c) => c.notNull())
    .addColumn('detected_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .addColumn('acknowledged_at', 'bigint')
    .addColumn('acknowledged_by', 'varchar(128)')
    .addColumn('resolved_at', 'bigint')
    .addColumn('resolved_by', 'varchar(128)')
    .addColumn('response', 'text')
    .execute();
  await db.schema.createIndex('anomalies_detected').on('anomalies').columns(['workspace_id', 'detected_at']).execute();
  await db.schema.createIndex('anomalies_key').on('anomalies').columns(['key_id', 'detected_at']).execute();

  await db.schema
    .createTable('keyspace_policies')
    .addColumn('keyspace_id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('workspace_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('anomaly_response', 'varchar(16)', (c) => c.notNull())
    .addColumn('suspend_min_severity', 'varchar(16)', (c) => c.notNull())
    .addColumn('auto_expire_unused_days', 'integer')
    .addColumn('auto_expire_notice_days', 'integer', (c) => c.notNull())
    .addColumn('expiring_notice_days', 'integer', (c) => c.notNull())
    .addColumn('credits_low_threshold', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('key_suspensions')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('workspace_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('key_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('anomaly_id', 'varchar(64)')
    .addColumn('reason', 'varchar(256)', (c) => c.notNull())
    .addColumn('suspended_at', 'bigint', (c) => c.notNull())
    .addColumn('was_enabled', 'integer', (c) => c.notNull())
    .addColumn('undone_at', 'bigint')
    .addColumn('undone_by', 'varchar(128)')
    .execute();
  await db.schema.createIndex('key_suspensions_key').on('key_suspensions').columns(['key_id']).execute();

  await db.schema
    .createTable('honeytokens')
    .addColumn('key_id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('workspace_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('webhooks')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('workspace_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('url', 'varchar(2048)', (c) => c.notNull())
    .addColumn('events', 'text', (c) => c.notNull())
    .addColumn('secret_ciphertext', 'text', (c) => c.notNull())
    .addColumn('secret_start', 'varchar(32)', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webhooks_workspace').on('webhooks').columns(['workspace_id']).execute();

  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('subscription_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('workspace_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('event_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('event_type', 'varchar(32)', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'bigint')
    .addColumn('last_attempt_at', 'bigint')
    .addColumn('response_status', 'integer')
    .addColumn('last_error', 'varchar(512)')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('delivered_at', 'bigint')
    .execute();
  await db.schema.createIndex('webhook_deliveries_due').on('webhook_deliveries').columns(['status', 'next_attempt_at']).execute();
  await db.schema.createIndex('webhook_deliveries_sub').on('webhook_deliveries').columns(['subscription_id', 'id']).execute();

  await db.schema
    .createTable('monitoring_cursors')
    .addColumn('name', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('value', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('monitoring_notices')
    .addColumn('kind', 'varchar(32)', (c) => c.notNull())
    .addColumn('subject', 'varchar(128)', (c) => c.notNull())
    .addColumn('workspace_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('monitoring_notices_pk', ['kind', 'subject'])
    .execute();
}
