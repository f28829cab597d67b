import type { Kysely } from 'kysely';

/** An administrator lists and ends a user's grants: their refresh families are found by subject. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('oauth_token_families_subject').on('oauth_token_families').columns(['subject', 'client_id']).execute();
}
