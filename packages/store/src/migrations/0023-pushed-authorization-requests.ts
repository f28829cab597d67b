import type { Kysely } from 'kysely';
import { addColumns, createTable, ONE_TIME_LIFE } from './tables.js';

/**
 * Pushed authorization requests (RFC 9126): the requests clients push, kept by the keyed hash of
 * their `request_uri` until they expire or yield a code, and the per-client "PAR required".
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await addColumns(db, 'oauth_clients', { require_par: 'integer default 0 not null' });
  await createTable(db, 'oauth_pushed_requests', {
    hash: 'varchar(64) primary key',
    workspace_id: 'varchar(64) not null',
    client_id: 'varchar(64) not null',
    params: 'text not null',
    ...ONE_TIME_LIFE,
    oauth_pushed_requests_expiry: 'index (expires_at)',
  });
}
