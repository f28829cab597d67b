import type { Kysely } from 'kysely';

/**
 * A keyspace keeps its gateway routes (the header clients send their key in, and the rules mapping
 * a request's method and path to the scopes it needs) as JSON text; null until they are set.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('keyspaces').addColumn('gateway_routes', 'text').execute();
}
