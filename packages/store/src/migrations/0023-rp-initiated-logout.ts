import type { Kysely } from 'kysely';
import { addColumns } from './tables.js';

/**
 * RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): the URIs a client may send users to
 * after signing out, and when a user's sign-ins at Tessera were last ended (every session
 * cookie made before is refused).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await addColumns(db, 'oauth_clients', { post_logout_redirect_uris: "text default '[]' not null" });
  await addColumns(db, 'end_users', { sessions_ended_at: 'bigint' });
}
