import type { Kysely } from 'kysely';
import { CREATED_AND_UPDATED, createTables, ID_AND_WORKSPACE } from './tables.js';

/** Usage events and roll-ups, anomalies, policies, suspensions, honeytokens, webhooks, notices. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await createTables(db, {
    usage_events: {
      ts: 'bigint not null',
      workspace_id: 'varchar(64) not null',
      key_id: 'varchar(64)',
      keyspace_id: 'varchar(64)',
      owner_id: 'varchar(256)',
      outcome: 'varchar(24) not null',
      ip: 'varchar(64)',
      network: 'varchar(64)',
      user_agent: 'varchar(256)',
      cost: 'bigint not null',
      resource: 'varchar(256)',
      method: 'varchar(16)',
      scopes: 'varchar(1024)',
      deleted_key: 'integer default 0 not null',
      usage_events_ts: 'index (workspace_id, ts)',
      usage_events_key: 'index (key_id, ts)',
    },

    usage_rollups: {
      workspace_id: 'varchar(64) not null',
      granularity: 'varchar(8) not null',
      bucket: 'bigint not null',
      dimension: 'varchar(16) not null',
      subject: 'varchar(256) not null',
      outcome: 'varchar(24) not null',
      count: 'bigint not null',
      cost: 'bigint not null',
      usage_rollups_pk: 'primary key (workspace_id, granularity, dimension, subject, bucket, outcome)',
      usage_rollups_bucket: 'index (granularity, bucket)',
    },

    key_scope_usage: {
      key_id: 'varchar(64) not null',
      scope: 'varchar(128) not null',
      last_used_at: 'bigint not null',
      key_scope_usage_pk: 'primary key (key_id, scope)',
    },

    anomalies: {
      ...ID_AND_WORKSPACE,
      kind: 'varchar(32) not null',
      severity: 'varchar(16) not null',
      key_id: 'varchar(64)',
      keyspace_id: 'varchar(64)',
      subject: 'varchar(256) not null',
      explanation: 'text not null',
      details: 'text not null',
      fingerprint: 'varchar(512) not null',
      status: 'varchar(16) not null',
      count: 'bigint not null',
      first_event_at: 'bigint not null',
      detected_at: 'bigint not null',
      last_seen_at: 'bigint not null',
      acknowledged_at: 'bigint',
      acknowledged_by: 'varchar(128)',
      resolved_at: 'bigint',
      resolved_by: 'varchar(128)',
      response: 'text',
      anomalies_detected: 'index (workspace_id, detected_at)',
      anomalies_key: 'index (key_id, detected_at)',
    },

    keyspace_policies: {
      keyspace_id: 'varchar(64) primary key',
      workspace_id: 'varchar(64) not null',
      anomaly_response: 'varchar(16) not null',
      suspend_min_severity: 'varchar(16) not null',
      auto_expire_unused_days: 'integer',
      auto_expire_notice_days: 'integer not null',
      expiring_notice_days: 'integer not null',
      credits_low_threshold: 'bigint',
      updated_at: 'bigint not null',
    },

    key_suspensions: {
      ...ID_AND_WORKSPACE,
      key_id: 'varchar(64) not null',
      anomaly_id: 'varchar(64)',
      reason: 'varchar(256) not null',
      suspended_at: 'bigint not null',
      was_enabled: 'integer not null',
      undone_at: 'bigint',
      undone_by: 'varchar(128)',
      key_suspensions_key: 'index (key_id)',
    },

    honeytokens: {
      key_id: 'varchar(64) primary key',
      workspace_id: 'varchar(64) not null',
      created_at: 'bigint not null',
    },

    webhooks: {
      ...ID_AND_WORKSPACE,
      url: 'varchar(2048) not null',
      events: 'text not null',
      secret_ciphertext: 'text not null',
      secret_start: 'varchar(32) not null',
      enabled: 'integer not null',
      ...CREATED_AND_UPDATED,
      webhooks_workspace: 'index (workspace_id)',
    },

    webhook_deliveries: {
      id: 'varchar(64) primary key',
      subscription_id: 'varchar(64) not null',
      workspace_id: 'varchar(64) not null',
      event_id: 'varchar(64) not null',
      event_type: 'varchar(32) not null',
      payload: 'text not null',
      status: 'varchar(16) not null',
      attempts: 'integer not null',
      next_attempt_at: 'bigint',
      last_attempt_at: 'bigint',
      response_status: 'integer',
      last_error: 'varchar(512)',
      created_at: 'bigint not null',
      delivered_at: 'bigint',
      webhook_deliveries_due: 'index (status, next_attempt_at)',
      webhook_deliveries_sub: 'index (subscription_id, id)',
    },

    monitoring_cursors: {
      name: 'varchar(64) primary key',
      value: 'bigint not null',
    },

    monitoring_notices: {
      kind: 'varchar(32) not null',
      subject: 'varchar(128) not null',
      workspace_id: 'varchar(64) not null',
      created_at: 'bigint not null',
      data: 'text not null',
      monitoring_notices_pk: 'primary key (kind, subject)',
    },
  });
}
