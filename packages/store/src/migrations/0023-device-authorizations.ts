import type { Kysely } from 'kysely';
import { createTable } from './tables.js';

/**
 * The device authorization grant (RFC 8628): requests waiting for a user on the verification
 * page, kept as keyed hashes of their device and user codes — neither code is stored in the clear.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await createTable(db, 'oauth_device_authorizations', {
    device_code_hash: 'varchar(64) primary key',
    user_code_hash: 'varchar(64) not null unique',
    workspace_id: 'varchar(64) not null',
    client_id: 'varchar(64) not null',
    scope: 'text not null',
    created_at: 'bigint not null',
    expires_at: 'bigint not null',
    interval: 'integer not null',
    last_polled_at: 'bigint',
    status: 'varchar(16) not null',
    user_id: 'varchar(64)',
    auth_time: 'bigint',
    amr: 'text',
    decided_at: 'bigint',
    oauth_device_authorizations_expiry: 'index (expires_at)',
  });
}
