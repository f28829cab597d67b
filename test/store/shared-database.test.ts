import { randomBytes } from 'node:crypto';
import { KyselyStore } from '@tessera/store';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL } from '../support/databases.js';

/**
 * Instances share one PostgreSQL database, each in its own schema (test runs, preview
 * environments). One instance migrating while another's schema is dropped must not fail: Kysely's
 * stock introspector looked at every schema by name and failed with "schema … does not exist".
 */
describe('a store migrating beside schemas that come and go (postgres)', () => {
  it('migrates while other schemas with tables are created and dropped', async () => {
    const churn = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await churn.connect();
    let churning = true;
    let dropped = 0;
    const others = (async () => {
      while (churning) {
        const other = `tessera_churn_${randomBytes(5).toString('hex')}`;
        await churn.query(`create schema ${other}`);
        await churn.query(`create table ${other}.t (id int primary key, note text)`);
        await churn.query(`drop schema ${other} cascade`);
        dropped++;
      }
    })();
    const schemas: string[] = [];
    try {
      for (let i = 0; i < 6; i++) {
        const schema = `tessera_t_${randomBytes(6).toString('hex')}`;
        schemas.push(schema);
        const setup = new pg.Client({ connectionString: TEST_DATABASE_URL });
        await setup.connect();
        await setup.query(`create schema if not exists ${schema}`);
        await setup.end();
        const store = KyselyStore.open({ kind: 'postgres', url: TEST_DATABASE_URL, schema, poolSize: 2 });
        try {
          expect((await store.migrate()).length).toBeGreaterThan(10);
          expect(await store.pendingMigrations()).toEqual([]);
        } finally {
          await store.close();
        }
      }
    } finally {
      churning = false;
      await others;
      for (const schema of schemas) await churn.query(`drop schema if exists ${schema} cascade`);
      await churn.end();
    }
    expect(dropped).toBeGreaterThan(0);
  }, 60_000);
});
