import type { IdempotencyRecord } from '@tessera/core';
import { KyselyStore } from '@tessera/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../support/databases.js';

/** The idempotency port's contract: the same behaviour on SQLite and PostgreSQL. */
describe.each(DIALECTS)('idempotency repos (%s)', (dialect) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
  });
  afterAll(() => db.drop());

  let n = 0;
  const record = (over: Partial<IdempotencyRecord> = {}): IdempotencyRecord => ({
    principal: 'root_key:rk_contract',
    key: `k-${++n}`,
    fingerprint: '1.fp',
    claim: `claim-${n}`,
    createdAt: 1_000,
    expiresAt: 2_000,
    status: null,
    response: null,
    ...over,
  });

  it('claims a key once per principal, and reads the record back exactly', async () => {
    const repos = db.store.idempotency;
    const r = record();
    expect(await repos.claimIdempotencyKey(r)).toBe(true);
    expect(await repos.claimIdempotencyKey({ ...r, claim: 'other' })).toBe(false);
    expect(await repos.getIdempotencyKey(r.principal, r.key)).toEqual(r);
    // The same key of another principal is another record.
    expect(await repos.claimIdempotencyKey({ ...r, principal: 'user:usr_other' })).toBe(true);
    expect(await repos.getIdempotencyKey('root_key:rk_nobody', r.key)).toBeUndefined();
  });

  it('completes only under the claim that holds the key, and only once', async () => {
    const repos = db.store.idempotency;
    const r = record();
    await repos.claimIdempotencyKey(r);
    expect(await repos.completeIdempotencyKey(r.principal, r.key, 'not-mine', 201, 'v1.x')).toBe(false);
    expect(await repos.completeIdempotencyKey(r.principal, r.key, r.claim, 201, 'v1.answer')).toBe(true);
    expect(await repos.completeIdempotencyKey(r.principal, r.key, r.claim, 500, 'v1.again')).toBe(false);
    expect(await repos.getIdempotencyKey(r.principal, r.key)).toMatchObject({ status: 201, response: 'v1.answer' });
  });

  it('releases an unfinished claim of its own, never a finished one nor another claim', async () => {
    const repos = db.store.idempotency;
    const r = record();
    await repos.claimIdempotencyKey(r);
    await repos.releaseIdempotencyKey(r.principal, r.key, 'not-mine');
    expect(await repos.getIdempotencyKey(r.principal, r.key)).toBeDefined();
    await repos.releaseIdempotencyKey(r.principal, r.key, r.claim);
    expect(await repos.getIdempotencyKey(r.principal, r.key)).toBeUndefined();
    const done = record();
    await repos.claimIdempotencyKey(done);
    await repos.completeIdempotencyKey(done.principal, done.key, done.claim, 200, 'v1.x');
    await repos.releaseIdempotencyKey(done.principal, done.key, done.claim);
    expect(await repos.getIdempotencyKey(done.principal, done.key)).toBeDefined();
  });

  it('reclaims a record that expired or was abandoned unfinished, and no other', async () => {
    const repos = db.store.idempotency;
    const live = record();
    await repos.claimIdempotencyKey(live);
    const next = { ...live, claim: 'next', fingerprint: '1.new', createdAt: 1_500, expiresAt: 9_000 };
    expect(await repos.reclaimIdempotencyKey(next, 1_500, 999)).toBe(false); // unfinished, claimed at 1000: not abandoned before 999
    expect(await repos.reclaimIdempotencyKey(next, 1_500, 1_000)).toBe(true); // abandoned
    expect(await repos.getIdempotencyKey(live.principal, live.key)).toEqual(next);

    const finished = record();
    await repos.claimIdempotencyKey(finished);
    await repos.completeIdempotencyKey(finished.principal, finished.key, finished.claim, 201, 'v1.x');
    const again = { ...finished, claim: 'again', createdAt: 1_999, expiresAt: 5_000 };
    expect(await repos.reclaimIdempotencyKey(again, 1_999, 1_999)).toBe(false); // finished, not expired
    expect(await repos.reclaimIdempotencyKey(again, 2_000, 1_000)).toBe(true); // expired at 2000
    expect(await repos.getIdempotencyKey(finished.principal, finished.key)).toEqual({ ...again, status: null, response: null });
  });

  it('sweeps what expired, and only that', async () => {
    const repos = db.store.idempotency;
    const old = record({ principal: 'root_key:rk_sweep', expiresAt: 10_000 });
    const young = record({ principal: 'root_key:rk_sweep', expiresAt: 10_001 });
    await repos.claimIdempotencyKey(old);
    await repos.claimIdempotencyKey(young);
    expect(await repos.sweepIdempotencyKeys(10_000)).toBeGreaterThanOrEqual(1);
    expect(await repos.getIdempotencyKey(old.principal, old.key)).toBeUndefined();
    expect(await repos.getIdempotencyKey(young.principal, young.key)).toBeDefined();
    expect(await repos.sweepIdempotencyKeys(10_000)).toBe(0);
  });

  it('one claim wins a race, whichever connection sends it', async () => {
    const others =
      dialect === 'postgres'
        ? [KyselyStore.open({ kind: 'postgres', url: db.url!, schema: db.schema, poolSize: 2 })]
        : [KyselyStore.open({ kind: 'sqlite', file: db.file! })];
    try {
      const r = record();
      const stores = [db.store, ...others];
      const outcomes = await Promise.all(
        Array.from({ length: 12 }, (_, i) => stores[i % stores.length]!.idempotency.claimIdempotencyKey({ ...r, claim: `c${i}` })),
      );
      expect(outcomes.filter(Boolean)).toHaveLength(1);
    } finally {
      for (const o of others) await o.close();
    }
  });
});
