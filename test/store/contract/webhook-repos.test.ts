import type { MonitoringStore, WebhookDeliveryRecord, WebhookSubscriptionRecord } from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../support/databases.js';

const T0 = Date.parse('2026-03-02T10:00:00Z');

/** The webhook subscription port, every method, on every backend. */
describe.each(DIALECTS)('webhook repos contract (%s)', (dialect) => {
  let db: TestDatabase;
  let repos: MonitoringStore;
  let n = 0;
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    repos = db.ports.monitoring;
  });
  afterAll(() => db.drop());

  function webhook(overrides: Partial<WebhookSubscriptionRecord> = {}): WebhookSubscriptionRecord {
    n++;
    return {
      id: `wh_${String(n).padStart(22, '0')}`,
      workspaceId: 'ws_webhooks',
      url: 'https://hooks.example.com/tessera?token=ü',
      events: ['key.revoked', 'anomaly.detected'],
      secretCiphertext: 'sealed:secret',
      secretStart: 'whsec_4Rt9…',
      enabled: true,
      createdAt: T0,
      updatedAt: T0,
      ...overrides,
    };
  }

  it('stores a subscription and reads it back exactly; an unknown id is undefined', async () => {
    const w = webhook({ events: ['*'], enabled: false });
    await repos.insertWebhook(w);
    expect(await repos.getWebhook(w.id)).toEqual(w);
    expect(await repos.getWebhook('wh_missing')).toBeUndefined();
  });

  it('lists a workspace’s subscriptions by id', async () => {
    const made = [webhook({ workspaceId: 'ws_list' }), webhook({ workspaceId: 'ws_list' }), webhook({ workspaceId: 'ws_other' })];
    await repos.transaction(async (tx) => {
      for (const w of [made[1]!, made[0]!, made[2]!]) await tx.insertWebhook(w);
    });
    expect(await repos.listWebhooks('ws_list')).toEqual([made[0], made[1]]);
    expect(await repos.listWebhooks('ws_none')).toEqual([]);
  });

  it('changes only the fields a patch names', async () => {
    const w = webhook();
    await repos.insertWebhook(w);
    await repos.updateWebhook(w.id, { enabled: false, updatedAt: T0 + 1 });
    expect(await repos.getWebhook(w.id)).toEqual({ ...w, enabled: false, updatedAt: T0 + 1 });
    const patch = {
      url: 'https://other.example.com/',
      events: ['key.created'],
      secretCiphertext: 'sealed:new',
      secretStart: 'whsec_Zz…',
      enabled: true,
      updatedAt: T0 + 2,
    };
    await repos.transaction((tx) => tx.updateWebhook(w.id, patch));
    expect(await repos.getWebhook(w.id)).toEqual({ ...w, ...patch });
  });

  it('deletes a subscription with its delivery log, and nothing of another', async () => {
    const [gone, kept] = [webhook(), webhook()];
    await repos.insertWebhook(gone!);
    await repos.insertWebhook(kept!);
    const delivery = (id: string, subscriptionId: string): WebhookDeliveryRecord => ({
      id,
      subscriptionId,
      workspaceId: 'ws_webhooks',
      eventId: 'wev_1',
      eventType: 'key.revoked',
      payload: '{}',
      status: 'pending',
      attempts: 0,
      nextAttemptAt: T0,
      lastAttemptAt: null,
      responseStatus: null,
      lastError: null,
      createdAt: T0,
      deliveredAt: null,
    });
    await repos.insertDeliveries([delivery('whd_gone', gone!.id), delivery('whd_kept', kept!.id)]);
    await repos.deleteWebhook(gone!.id);
    expect(await repos.getWebhook(gone!.id)).toBeUndefined();
    expect(await repos.getDelivery('whd_gone')).toBeUndefined();
    expect(await repos.getWebhook(kept!.id)).toEqual(kept);
    expect(await repos.getDelivery('whd_kept')).toBeDefined();
  });
});
