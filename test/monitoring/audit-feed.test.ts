import { appendAudit, AuditFeed, ManualClock, webhookEmitter, type MonitoringStore } from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';

const T0 = Date.parse('2026-03-02T10:00:00Z');
const WORKSPACES = ['ws_feed_a', 'ws_feed_b', 'ws_feed_c'];

/** The audit feed that turns key events into webhook deliveries, with several nodes on one store. */
describe.each(DIALECTS)('audit feed (%s)', (dialect) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
  });
  afterAll(() => db.drop());

  /** The monitoring store as one node sees it, counting the reads that matter inside its transactions. */
  function node(store: MonitoringStore, calls: { scanAudit: number; listWebhooks: number }): MonitoringStore {
    const counted = <T extends object>(repos: T): T =>
      new Proxy(repos, {
        get(target, name, receiver) {
          const value = Reflect.get(target, name, receiver) as unknown;
          if (typeof value !== 'function') return value;
          if (name === 'scanAudit' || name === 'listWebhooks') {
            return (...args: unknown[]) => {
              calls[name]++;
              return (value as (...a: unknown[]) => unknown).apply(target, args);
            };
          }
          if (name === 'transaction') {
            return (fn: (tx: unknown) => Promise<unknown>) =>
              (value as (f: (tx: unknown) => Promise<unknown>) => Promise<unknown>).call(target, (tx) => fn(counted(tx as object)));
          }
          return (value as (...a: unknown[]) => unknown).bind(target);
        },
      });
    return counted(store);
  }

  it('three nodes turn each key event into one delivery per subscription, each page read by one node, subscriptions once a page', async () => {
    const store = db.ports.monitoring;
    const clock = new ManualClock(T0);
    const subscription = (workspaceId: string, events: string[]) => ({
      id: `wh_feed_${workspaceId}`,
      workspaceId,
      url: 'https://hooks.example.com/tessera',
      events,
      secretCiphertext: 'sealed:secret',
      secretStart: 'whsec_feed…',
      enabled: true,
      createdAt: T0,
      updatedAt: T0,
    });
    // Workspace a wants revocations, b everything, c has no subscription.
    await store.insertWebhook(subscription(WORKSPACES[0]!, ['key.revoked']));
    await store.insertWebhook(subscription(WORKSPACES[1]!, ['*']));
    const calls = [0, 1, 2].map(() => ({ scanAudit: 0, listWebhooks: 0 }));
    const feeds = calls.map((c) => new AuditFeed(node(store, c), webhookEmitter(clock)));
    expect(await feeds[0]!.runDue()).toBe(0); // starts at the head: no history replayed
    // 1,100 revocations: three pages of at most 500.
    const ENTRIES = 1100;
    for (let i = 0; i < ENTRIES; i += 100) {
      await db.store.transaction(async (tx) => {
        for (let j = i; j < i + 100; j++) {
          await appendAudit(
            tx,
            clock,
            { id: 'system', workspaceId: WORKSPACES[j % 3]!, ip: null },
            {
              action: 'key.revoked',
              target: `key_${j}`,
              details: { reason: 'test' },
            },
          );
        }
      });
    }
    const read = await Promise.all(feeds.map((f) => f.runDue()));
    // Rounds that lost a race end early: run until every feed finds nothing new.
    for (let i = 0; i < 5; i++) read.push(...(await Promise.all(feeds.map((f) => f.runDue()))));
    expect(read.reduce((a, b) => a + b, 0)).toBe(ENTRIES);
    const scans = calls.reduce((s, c) => s + c.scanAudit, 0);
    const lists = calls.reduce((s, c) => s + c.listWebhooks, 0);
    expect(scans).toBe(3);
    // Each page lists the subscriptions of each of the three workspaces once.
    expect(lists).toBe(3 * 3);
    for (const [workspaceId, expected] of [
      [WORKSPACES[0]!, 367],
      [WORKSPACES[1]!, 367],
    ] as const) {
      const deliveries = await store.listDeliveries({ subscriptionId: `wh_feed_${workspaceId}`, limit: 1000 });
      expect(deliveries).toHaveLength(expected);
      expect(new Set(deliveries.map((d) => JSON.parse(d.payload).data.keyId)).size).toBe(expected);
    }
  });
});
