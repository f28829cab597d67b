import type { Kysely } from 'kysely';

/**
 * A pepper records how it forms its HMAC input: `labelled` (each role's label before the value:
 * domain separation) for peppers made from now on. Existing rows stay null, read as `plain` (the
 * value alone, as release 0.1.0 hashed), so every hash they made keeps verifying.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('keyring_keys').addColumn('hmac_input', 'varchar(16)').execute();
}
