import type { Kysely } from 'kysely';

/**
 * An absolute lifetime for refresh families, per client (seconds, 30 days unless the client says
 * otherwise): rotation keeps a family going only until then.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('oauth_clients')
    .addColumn('refresh_family_lifetime', 'integer', (c) => c.notNull().defaultTo(30 * 86_400))
    .execute();
}
