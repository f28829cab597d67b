import type { Kysely } from 'kysely';

/**
 * RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): the URIs a client may send users to
 * after signing out, and when a user's sign-ins at Tessera were last ended (every session
 * cookie made before is refused).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('oauth_clients')
    .addColumn('post_logout_redirect_uris', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
  await db.schema.alterTable('end_users').addColumn('sessions_ended_at', 'bigint').execute();
}
