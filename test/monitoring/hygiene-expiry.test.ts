import { ManualClock } from '@tessera/core';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

const DAY = 86_400_000;

/**
 * The hygiene sweep schedules an expiry for an idle key and cancels it if the key is used during
 * the notice period. The cancellation must never bring back a key an administrator changed since:
 * a rolled key whose grace outlasts the scheduled expiry used to be restored to "never expires".
 */
describe.each(DIALECTS)('hygiene: a scheduled expiry and later changes to the key (%s)', (dialect) => {
  let s: TestServer;
  const clock = new ManualClock(Date.parse('2026-05-04T09:00:00Z'));
  let n = 0;

  beforeAll(async () => {
    s = await startTestServer(dialect, { clock });
  });
  afterAll(async () => {
    await s?.close();
  });

  /** A keyspace whose idle keys are scheduled to expire, and one key in it idle long enough. */
  async function idleKey(): Promise<{ keyId: string; key: string }> {
    const ks = (await s.api('POST', '/v1/keyspaces', { name: `hyg${++n}`, prefix: `hyg${n}` })).body.id;
    await s.api('PUT', `/v1/keyspaces/${ks}/policy`, { autoExpireUnusedDays: 30, autoExpireNoticeDays: 7 });
    const r = await s.api('POST', '/v1/keys', { keyspaceId: ks });
    clock.advance(31 * DAY);
    return { keyId: r.body.keyId, key: r.body.key };
  }
  const notices = async (keyId: string) =>
    (await sql<{ kind: string }>`select kind from monitoring_notices where subject = ${keyId}`.execute(s.db.store.kysely)).rows;
  const verify = async (key: string) => (await s.api('POST', '/v1/keys/verify', { key })).body.code as string;

  it('does not bring a rolled key back to life when its old key is used during the grace', async () => {
    const old = await idleKey();
    await s.api('POST', '/v1/hygiene/sweep');
    const scheduled = (await s.api('GET', `/v1/keys/${old.keyId}`)).body.expiresAt;
    expect(scheduled).toBe(new Date(clock.now() + 7 * DAY).toISOString());
    clock.advance(DAY);
    const rolled = await s.api('POST', `/v1/keys/${old.keyId}/roll`, { gracePeriodSeconds: 30 * 86_400 });
    expect(rolled.status).toBe(201);
    // The new key does not inherit an expiry scheduled because the old one sat idle.
    expect((await s.api('GET', `/v1/keys/${rolled.body.keyId}`)).body.expiresAt).toBeNull();
    clock.advance(DAY);
    expect(await verify(old.key)).toBe('VALID'); // the old key, during the grace
    await s.services.usage.flush();
    const sweep = await s.api('POST', '/v1/hygiene/sweep');
    expect(sweep.body.cancelled).toBe(0);
    expect((await s.api('GET', `/v1/keys/${old.keyId}`)).body.expiresAt).toBe(scheduled);
    clock.advance(6 * DAY);
    expect(await verify(old.key)).toBe('EXPIRED');
    expect(await verify(rolled.body.key)).toBe('VALID');
  });

  it('drops the pending expiry when the key is rolled, revoked or changed', async () => {
    const [a, b, c] = [await idleKey(), await idleKey(), await idleKey()];
    await s.api('POST', '/v1/hygiene/sweep');
    for (const k of [a, b, c]) expect(await notices(k.keyId)).toEqual([{ kind: 'auto_expire' }]);
    await s.api('POST', `/v1/keys/${a.keyId}/roll`, { gracePeriodSeconds: 3600 });
    await s.api('POST', `/v1/keys/${b.keyId}/revoke`, {});
    await s.api('PATCH', `/v1/keys/${c.keyId}`, { expiresAt: new Date(clock.now() + 90 * DAY).toISOString() });
    for (const k of [a, b, c]) expect(await notices(k.keyId)).toEqual([]);
    // The administrator's expiry stands, even though the key is used afterwards.
    clock.advance(DAY);
    expect(await verify(c.key)).toBe('VALID');
    await s.services.usage.flush();
    await s.api('POST', '/v1/hygiene/sweep');
    expect((await s.api('GET', `/v1/keys/${c.keyId}`)).body.expiresAt).toBe(new Date(clock.now() + 89 * DAY).toISOString());
  });

  it('restores an expiry only while the key still holds the one the sweep scheduled (compare-and-set)', async () => {
    const k = await idleKey();
    await s.api('POST', '/v1/hygiene/sweep');
    const { store } = s.services;
    const inventory = s.services.monitoring.store;
    const record = (await store.getKey(k.keyId))!;
    const scheduledAt = record.updatedAt;
    // The key changed after the sweep read it: a roll moved its expiry.
    await store.updateKey(k.keyId, { expiresAt: record.expiresAt! - 1000, updatedAt: clock.now() + 1 });
    expect(await inventory.restoreScheduledExpiry(k.keyId, { expiresAt: record.expiresAt!, scheduledAt }, null, clock.now() + 2)).toBe(
      false,
    );
    expect((await store.getKey(k.keyId))!.expiresAt).toBe(record.expiresAt! - 1000);
    await store.updateKey(k.keyId, { expiresAt: record.expiresAt!, updatedAt: scheduledAt });
    expect(await inventory.restoreScheduledExpiry(k.keyId, { expiresAt: record.expiresAt!, scheduledAt }, null, clock.now() + 3)).toBe(
      true,
    );
    expect((await store.getKey(k.keyId))!.expiresAt).toBeNull();
  });
});
