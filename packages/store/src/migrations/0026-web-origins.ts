import type { Kysely } from 'kysely';

/** The browser origins whose pages may call a client's token, revocation and userinfo endpoints (CORS). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('oauth_clients')
    .addColumn('web_origins', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
}
