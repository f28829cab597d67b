import type { Kysely } from 'kysely';
import { addColumns } from './tables.js';

/**
 * Root keys get what API keys have: an expiry, an IP allowlist, a link to the key they were
 * rolled to, and a list of keyspaces they are limited to (null: every keyspace of the workspace).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await addColumns(db, 'root_keys', {
    expires_at: 'bigint',
    ip_allowlist: "text default '[]' not null",
    keyspace_ids: 'text',
    rolled_to_id: 'varchar(64)',
  });
}
