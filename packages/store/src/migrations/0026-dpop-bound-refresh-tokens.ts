import type { Kysely } from 'kysely';

/**
 * DPoP-bound refresh tokens (RFC 9449 §5): a public client's grant made with a DPoP proof keeps the
 * thumbprint of the proof's key, and only that key may refresh it. A thumbprint is public.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('oauth_token_families').addColumn('jkt', 'varchar(64)').execute();
}
