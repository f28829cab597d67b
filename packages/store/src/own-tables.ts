import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';

/**
 * An adapter of tables declared beside their migration rather than in the shared schema, over a
 * Kysely handle: the whole database, or one transaction (a transaction is a handle too).
 */
export abstract class OwnTablesAdapter<Tables> {
  protected readonly db: Kysely<Tables>;

  constructor(db: Kysely<Database> | Transaction<Database>) {
    this.db = db as unknown as Kysely<Tables>;
  }
}
