import type { MonitoringStore, WebhookDeliveryRecord } from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../support/databases.js';

const T0 = Date.parse('2026-03-02T10:00:00Z');

/** The webhook delivery port (the queue and the log), every method, on every backend. */
describe.each(DIALECTS)('delivery repos contract (%s)', (dialect) => {
  let db: TestDatabase;
  let repos: MonitoringStore;
  let n = 0;
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    repos = db.ports.monitoring;
  });
  afterAll(() => db.drop());

  function delivery(overrides: Partial<WebhookDeliveryRecord> = {}): WebhookDeliveryRecord {
    n++;
    return {
      id: `whd_${String(n).padStart(22, '0')}`,
      subscriptionId: 'wh_a',
      workspaceId: 'ws_deliveries',
      eventId: `wev_${n}`,
      eventType: 'key.revoked',
      payload: JSON.stringify({ id: `wev_${n}`, type: 'key.revoked', data: { reason: 'żółw 🐢' } }),
      status: 'pending',
      attempts: 0,
      nextAttemptAt: T0,
      lastAttemptAt: null,
      responseStatus: null,
      lastError: null,
      createdAt: T0,
      deliveredAt: null,
      ...overrides,
    };
  }

  it('stores deliveries (more than one statement takes) and reads each back exactly', async () => {
    const many = Array.from({ length: 205 }, () => delivery({ subscriptionId: 'wh_many' }));
    await repos.transaction((tx) => tx.insertDeliveries(many));
    expect(await repos.getDelivery(many[204]!.id)).toEqual(many[204]);
    const done = delivery({
      status: 'failed',
      attempts: 8,
      nextAttemptAt: null,
      lastAttemptAt: T0 + 9,
      responseStatus: 500,
      lastError: 'http_status',
    });
    await repos.insertDeliveries([done]);
    expect(await repos.getDelivery(done.id)).toEqual(done);
    expect(await repos.getDelivery('whd_missing')).toBeUndefined();
    expect((await repos.listDeliveries({ subscriptionId: 'wh_many', limit: 1000 })).length).toBe(205);
  });

  it('lists a subscription’s deliveries newest first, a page at a time', async () => {
    const made = Array.from({ length: 5 }, () => delivery({ subscriptionId: 'wh_pages' }));
    await repos.insertDeliveries(made);
    await repos.insertDeliveries([delivery({ subscriptionId: 'wh_other' })]);
    const first = await repos.listDeliveries({ subscriptionId: 'wh_pages', limit: 2 });
    expect(first.map((d) => d.id)).toEqual([made[4]!.id, made[3]!.id]);
    const next = await repos.listDeliveries({ subscriptionId: 'wh_pages', limit: 10, beforeId: first[1]!.id });
    expect(next.map((d) => d.id)).toEqual([made[2]!.id, made[1]!.id, made[0]!.id]);
  });

  it('finds pending deliveries due now, earliest first, and lets one claim each attempt', async () => {
    const at = T0 + 10_000_000;
    const due = [
      delivery({ subscriptionId: 'wh_due', nextAttemptAt: at - 5 }),
      delivery({ subscriptionId: 'wh_due', nextAttemptAt: at - 10 }),
      delivery({ subscriptionId: 'wh_due', nextAttemptAt: at - 5 }),
    ];
    const notYet = delivery({ subscriptionId: 'wh_due', nextAttemptAt: at + 1 });
    const finished = delivery({ subscriptionId: 'wh_due', status: 'succeeded', nextAttemptAt: at - 20 });
    await repos.insertDeliveries([...due, notYet, finished]);
    const found = (await repos.listDueDeliveries(at, 1000)).filter((d) => d.subscriptionId === 'wh_due');
    expect(found.map((d) => d.id)).toEqual([due[1]!.id, due[0]!.id, due[2]!.id]);
    expect(await repos.listDueDeliveries(at, 1)).toHaveLength(1);

    expect(await repos.claimDelivery(due[0]!.id, at - 5, at + 40_000)).toBe(true);
    expect(await repos.claimDelivery(due[0]!.id, at - 5, at + 40_000)).toBe(false); // another node came second
    expect((await repos.getDelivery(due[0]!.id))!.nextAttemptAt).toBe(at + 40_000);
    expect(await repos.claimDelivery(finished.id, at - 20, at + 40_000)).toBe(false);
    expect((await repos.listDueDeliveries(at, 1000)).map((d) => d.id)).not.toContain(due[0]!.id);
  });

  it('records how an attempt ended, its error cut to 512', async () => {
    const d = delivery();
    await repos.insertDeliveries([d]);
    const retry = {
      status: 'pending' as const,
      attempts: 1,
      nextAttemptAt: T0 + 10_000,
      lastAttemptAt: T0 + 1,
      responseStatus: 503,
      lastError: 'e'.repeat(600),
      deliveredAt: null,
    };
    await repos.finishAttempt(d.id, retry);
    expect(await repos.getDelivery(d.id)).toEqual({ ...d, ...retry, lastError: 'e'.repeat(512) });
    const ok = {
      status: 'succeeded' as const,
      attempts: 2,
      nextAttemptAt: null,
      lastAttemptAt: T0 + 10_001,
      responseStatus: 204,
      lastError: null,
      deliveredAt: T0 + 10_002,
    };
    await repos.transaction((tx) => tx.finishAttempt(d.id, ok));
    expect(await repos.getDelivery(d.id)).toEqual({ ...d, ...ok });
  });

  it('purges finished deliveries created before a time, never pending ones', async () => {
    const old = T0 - 40 * 86_400_000;
    const made = [
      delivery({ subscriptionId: 'wh_purge', createdAt: old, status: 'succeeded', nextAttemptAt: null }),
      delivery({ subscriptionId: 'wh_purge', createdAt: old, status: 'failed', nextAttemptAt: null }),
      delivery({ subscriptionId: 'wh_purge', createdAt: old, status: 'pending' }),
      delivery({ subscriptionId: 'wh_purge', createdAt: T0, status: 'succeeded', nextAttemptAt: null }),
    ];
    await repos.insertDeliveries(made);
    expect(await repos.purgeDeliveries(old + 1)).toBe(2);
    expect((await repos.listDeliveries({ subscriptionId: 'wh_purge', limit: 10 })).map((d) => d.id)).toEqual([made[3]!.id, made[2]!.id]);
  });
});
