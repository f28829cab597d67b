import type { UsageUpdate } from '@tessera/core';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Dialect } from '../kysely-handle.js';
import { retryingTransaction } from '../retry-transaction.js';
import type { Database } from '../schema.js';

const USAGE_ROWS_PER_STATEMENT = 1000;

/**
 * Writes a batch of usage from the verify path (last-used times, use counts, spent credits) in
 * one transaction. Rows are locked in key order, so batches from several nodes never wait on each
 * other in a circle.
 */
export async function applyUsageBatch(db: Kysely<Database>, dialect: Dialect, updates: readonly UsageUpdate[]): Promise<void> {
  if (updates.length === 0) return;
  const ordered = [...updates].sort((a, b) => (a.keyId < b.keyId ? -1 : a.keyId > b.keyId ? 1 : 0));
  await retryingTransaction(db, async (trx) => {
    if (dialect === 'postgres') {
      // One statement per thousand keys, not one per key: the rows stay locked for a round trip
      // or two, not for the whole batch, so a revocation of one of them does not wait behind it.
      for (let i = 0; i < ordered.length; i += USAGE_ROWS_PER_STATEMENT)
        await applyUsageCounts(trx, ordered.slice(i, i + USAGE_ROWS_PER_STATEMENT));
    }
    for (const u of ordered) {
      if (dialect !== 'postgres')
        await trx
          .updateTable('keys')
          .set({ last_used_at: u.lastUsedAt, usage_count: sql`usage_count + ${u.count}` })
          .where('id', '=', u.keyId)
          .execute();
      if (u.credits !== undefined) {
        // Only if no management change came in between; that change set the credits anew.
        // Several nodes write snapshots of one balance in any order: only a later one lands
        // (a later refill, else a lower balance), so an older snapshot never undoes spends.
        const refilledAt = u.credits.refilledAt ?? -1;
        await trx
          .updateTable('keys')
          .set({ credits_remaining: u.credits.remaining, credits_refilled_at: u.credits.refilledAt })
          .where('id', '=', u.keyId)
          .where('version', '=', u.credits.version)
          .where(
            sql<boolean>`(coalesce(credits_refilled_at, -1) < ${refilledAt} or (coalesce(credits_refilled_at, -1) = ${refilledAt} and credits_remaining >= ${u.credits.remaining}))`,
          )
          .execute();
      }
    }
  });
}

/** Usage counts of many keys in one PostgreSQL statement, their rows locked in id order first (as every multi-row writer does). */
async function applyUsageCounts(trx: Transaction<Database>, updates: readonly UsageUpdate[]): Promise<void> {
  const values = sql.join(updates.map((u) => sql`(${u.keyId}::text, ${u.lastUsedAt}::bigint, ${u.count}::bigint)`));
  await sql`
    with v(id, last_used_at, n) as (values ${values}),
    locked as (select k.id from keys k join v on v.id = k.id order by k.id for update of k)
    update keys k set last_used_at = v.last_used_at, usage_count = k.usage_count + v.n
    from v where k.id = v.id and k.id in (select id from locked)`.execute(trx);
}
