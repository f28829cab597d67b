import type { Kysely } from 'kysely';
import { addColumns, createTable, ID_AND_WORKSPACE } from './tables.js';

/**
 * The self-service portal for key owners. A keyspace keeps its portal settings (limits and
 * branding) as JSON text, null until set; `portal_sessions` holds each session handed to an owner:
 * the keyed hash of its single-use link and, once opened, of its cookie. No token is stored.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await addColumns(db, 'keyspaces', { portal_settings: 'text' });
  await createTable(db, 'portal_sessions', {
    ...ID_AND_WORKSPACE,
    keyspace_id: 'varchar(64) not null',
    owner_id: 'varchar(256) not null',
    return_url: 'text not null',
    link_hash: 'varchar(128) not null unique',
    link_expires_at: 'bigint not null',
    opened_at: 'bigint',
    session_hash: 'varchar(128) unique',
    session_expires_at: 'bigint',
    created_at: 'bigint not null',
  });
}
