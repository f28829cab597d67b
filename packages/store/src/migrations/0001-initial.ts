import type { Kysely } from 'kysely';
import { createTables, ID_AND_WORKSPACE } from './tables.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  await createTables(db, {
    workspaces: {
      id: 'varchar(64) primary key',
      name: 'varchar(200) not null',
      created_at: 'bigint not null',
    },

    keyspaces: {
      id: 'varchar(64) primary key',
      workspace_id: 'varchar(64) not null references workspaces.id',
      name: 'varchar(200) not null',
      prefix: 'varchar(16) not null',
      recoverable: 'integer default 0 not null',
      created_at: 'bigint not null',
      keyspaces_workspace: 'index (workspace_id, id)',
    },

    keys: {
      ...ID_AND_WORKSPACE,
      keyspace_id: 'varchar(64) not null references keyspaces.id',
      hash: 'varchar(64) not null unique',
      pepper_version: 'integer not null',
      start: 'varchar(64) not null',
      owner_id: 'varchar(256)',
      name: 'varchar(256)',
      scopes: 'text not null',
      meta: 'text',
      environment: 'varchar(64)',
      created_at: 'bigint not null',
      updated_at: 'bigint not null',
      expires_at: 'bigint',
      enabled: 'integer not null',
      revoked_at: 'bigint',
      revoke_reason: 'varchar(512)',
      deleted_at: 'bigint',
      ip_allowlist: 'text not null',
      ratelimits: 'text not null',
      credits_remaining: 'bigint',
      credits_refill_amount: 'bigint',
      credits_refill_interval: 'bigint',
      credits_refilled_at: 'bigint',
      last_used_at: 'bigint',
      usage_count: 'bigint default 0 not null',
      version: 'integer not null',
      rolled_to_id: 'varchar(64)',
      keys_keyspace: 'index (keyspace_id, id)',
      keys_owner: 'index (workspace_id, owner_id)',
    },

    root_keys: {
      id: 'varchar(64) primary key',
      workspace_id: 'varchar(64) not null references workspaces.id',
      name: 'varchar(200) not null',
      hash: 'varchar(64) not null unique',
      pepper_version: 'integer not null',
      start: 'varchar(64) not null',
      permissions: 'text not null',
      created_at: 'bigint not null',
      revoked_at: 'bigint',
      last_used_at: 'bigint',
    },

    audit_log: {
      seq: 'bigint primary key',
      id: 'varchar(64) not null unique',
      ts: 'bigint not null',
      workspace_id: 'varchar(64)',
      actor: 'varchar(128) not null',
      action: 'varchar(64) not null',
      target: 'varchar(256)',
      ip: 'varchar(64)',
      details: 'text not null',
      prev_hash: 'varchar(64) not null',
      hash: 'varchar(64) not null',
    },

    // One row holding the chain's head. Appends lock it, so entries get gap-free sequence numbers
    // in commit order, on every node.
    audit_head: {
      id: 'integer primary key',
      seq: 'bigint not null',
      hash: 'varchar(64) not null',
    },
  });
  await db
    .insertInto('audit_head' as never)
    .values({ id: 1, seq: 0, hash: '0'.repeat(64) } as never)
    .execute();
}
