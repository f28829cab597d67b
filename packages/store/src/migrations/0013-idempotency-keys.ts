import type { Kysely } from 'kysely';
import { createTable } from './tables.js';

/**
 * Idempotency keys: the first outcome of a request sent with an `Idempotency-Key`, for 24 hours.
 * The answer is a keyring ciphertext (it may hold a created key or secret); the fingerprint is
 * a keyed hash of the request.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await createTable(db, 'idempotency_keys', {
    principal: 'varchar(128) not null',
    key: 'varchar(255) not null',
    fingerprint: 'varchar(128) not null',
    claim: 'varchar(32) not null',
    created_at: 'bigint not null',
    expires_at: 'bigint not null',
    status: 'integer',
    response: 'text',
    idempotency_keys_pk: 'primary key (principal, key)',
    idempotency_keys_expires: 'index (expires_at)',
  });
}
