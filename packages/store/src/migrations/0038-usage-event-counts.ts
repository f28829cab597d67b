import type { Kysely } from 'kysely';

/**
 * A stored usage event may stand for several verifications alike in every field and made within
 * the same second: `count` says how many. Rows written before hold one verification each.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('usage_events')
    .addColumn('count', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
}
