import type { Kysely } from 'kysely';
import { addColumns, createTable } from './tables.js';

/**
 * Rotation of API keys. A keyspace policy gains a maximum key lifetime and a rotation schedule
 * (every N days, told ahead, with a grace past the due date); `key_rollovers` holds each
 * usage-driven roll: the predecessor works until its successor is in use and its own traffic has
 * stopped for the quiet period, or until the hard deadline.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await addColumns(db, 'keyspace_policies', {
    max_key_lifetime_days: 'integer',
    rotation_interval_days: 'integer',
    rotation_notice_days: 'integer default 7 not null',
    rotation_grace_days: 'integer default 7 not null',
  });
  await createTable(db, 'key_rollovers', {
    predecessor_id: 'varchar(64) primary key',
    successor_id: 'varchar(64) not null',
    workspace_id: 'varchar(64) not null',
    keyspace_id: 'varchar(64) not null',
    quiet_period_seconds: 'integer not null',
    deadline: 'bigint not null',
    created_at: 'bigint not null',
    successor_first_used_at: 'bigint',
    retired_at: 'bigint',
    retired_reason: 'varchar(16)',
    // The retirement job reads the rollovers still open.
    key_rollovers_open: 'index (retired_at, deadline)',
  });
}
