import type { Kysely, Transaction } from 'kysely';

/** PostgreSQL's deadlock_detected and serialization_failure: the transaction was rolled back and may simply run again. */
const RETRYABLE = new Set(['40P01', '40001']);
const ATTEMPTS = 4;

/**
 * Runs `fn` in a transaction, again (up to 4 times in all, after a short random pause) when
 * PostgreSQL rolled it back to break a deadlock or a serialization conflict. Writers take row
 * locks in a fixed order where they can, but transactions of different kinds (a revocation, a
 * usage batch, an anomaly) still meet in other orders; the loser of such a meeting is retried
 * instead of answering 500. `fn` must do nothing outside the database that cannot be repeated.
 */
export function retryingTransaction<DB, T>(db: Kysely<DB>, fn: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
  return retrying(() => db.transaction().execute(fn));
}

/** Runs `attempt` (one transaction, or one statement that is its own) again as {@link retryingTransaction} does. */
export async function retrying<T>(attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (n >= ATTEMPTS || typeof code !== 'string' || !RETRYABLE.has(code)) throw err;
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * n));
    }
  }
}
