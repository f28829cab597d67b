import { randomBytes } from 'node:crypto';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retryingTransaction } from '../../packages/store/src/retry-transaction.js';
import { TEST_DATABASE_URL } from '../support/databases.js';

/**
 * Two transactions that lock the same two rows in opposite orders: PostgreSQL breaks the
 * deadlock by rolling one back (40P01). Run through `retryingTransaction`, both complete.
 */
const schema = `tessera_retry_${randomBytes(5).toString('hex')}`;
let db: Kysely<any>;

beforeAll(async () => {
  db = new Kysely({
    dialect: new PostgresDialect({
      pool: new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 4, options: `-c search_path=${schema}` }),
    }),
  });
  await sql.raw(`create schema ${schema}`).execute(db);
  await sql.raw(`create table ${schema}.t (id int primary key, n int not null)`).execute(db);
  await sql.raw(`insert into ${schema}.t values (1, 0), (2, 0)`).execute(db);
});

afterAll(async () => {
  await sql.raw(`drop schema if exists ${schema} cascade`).execute(db);
  await db.destroy();
});

/** Locks `first`, waits until the other transaction holds its first row, then locks `second`. */
function crossing(first: number, second: number, barrier: { arrived: number }, attempts: number[]) {
  return async (trx: Kysely<any>) => {
    attempts.push(first);
    await sql`update t set n = n + 1 where id = ${first}`.execute(trx);
    barrier.arrived++;
    for (let i = 0; i < 200 && barrier.arrived < 2; i++) await new Promise((r) => setTimeout(r, 5));
    await sql`update t set n = n + 1 where id = ${second}`.execute(trx);
  };
}

describe('retryingTransaction on PostgreSQL', () => {
  it('runs the loser of a deadlock again, so both transactions land', async () => {
    const attempts: number[] = [];
    const barrier = { arrived: 0 };
    await Promise.all([
      retryingTransaction(db, crossing(1, 2, barrier, attempts)),
      retryingTransaction(db, crossing(2, 1, barrier, attempts)),
    ]);
    expect(attempts.length).toBe(3); // one of the two ran twice
    const rows = (await sql<{ id: number; n: number }>`select id, n from t order by id`.execute(db)).rows;
    expect(rows).toEqual([
      { id: 1, n: 2 },
      { id: 2, n: 2 },
    ]);
  });

  it('without it the deadlock is an error (the test above is not vacuous)', async () => {
    const barrier = { arrived: 0 };
    const outcomes = await Promise.allSettled([
      db.transaction().execute(crossing(1, 2, barrier, [])),
      db.transaction().execute(crossing(2, 1, barrier, [])),
    ]);
    const failed = outcomes.filter((o) => o.status === 'rejected') as PromiseRejectedResult[];
    expect(failed).toHaveLength(1);
    expect((failed[0]!.reason as { code?: string }).code).toBe('40P01');
  });

  it('does not retry other errors', async () => {
    let runs = 0;
    await expect(
      retryingTransaction(db, async (trx) => {
        runs++;
        await sql`insert into t values (1, 0)`.execute(trx); // unique violation, 23505
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect(runs).toBe(1);
  });
});
