import { KeyService, LocalInvalidationBus, ManualClock, MemoryKeyring, RootKeyService, type Actor } from '@tessera/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../support/databases.js';
import { keyRecord, seedKeyspace, useDatabase } from './records.js';

/** Usage batches from the verify path (`Store.applyUsage`), on SQLite and PostgreSQL. */
describe.each(DIALECTS)('usage batches (%s)', (dialect) => {
  const database = useDatabase(dialect);
  let ws: { workspaceId: string; keyspaceId: string };
  beforeAll(async () => {
    ws = await seedKeyspace(database().store);
  });

  it('adds counts and sets last-used times, for every key of a batch larger than one statement holds', async () => {
    const { store } = database();
    const keys = Array.from({ length: 1_205 }, () => keyRecord(ws));
    await store.transaction(async (tx) => {
      for (const k of keys) await tx.insertKey(k);
    });
    await store.applyUsage([]);
    await store.applyUsage(keys.map((k, i) => ({ keyId: k.id, lastUsedAt: 10_000 + i, count: 1 + (i % 3) })));
    await store.applyUsage(
      keys
        .slice(0, 10)
        .reverse()
        .map((k) => ({ keyId: k.id, lastUsedAt: 20_000, count: 5 })),
    );
    for (const i of [0, 9, 10, 999, 1_000, 1_204]) {
      const k = (await store.getKey(keys[i]!.id))!;
      expect([k.usageCount, k.lastUsedAt]).toEqual(i < 10 ? [1 + (i % 3) + 5, 20_000] : [1 + (i % 3), 10_000 + i]);
    }
  });

  it('leaves unknown keys alone, and writes the rest', async () => {
    const { store } = database();
    const k = keyRecord(ws);
    await store.insertKey(k);
    await store.applyUsage([
      { keyId: 'key_gone00000000000000000000', lastUsedAt: 5, count: 1 },
      { keyId: k.id, lastUsedAt: 6, count: 2 },
    ]);
    expect(await store.getKey(k.id)).toMatchObject({ usageCount: 2, lastUsedAt: 6 });
  });

  it('adds up batches written at the same time', async () => {
    const { store } = database();
    const keys = [keyRecord(ws), keyRecord(ws), keyRecord(ws)];
    for (const k of keys) await store.insertKey(k);
    // Each batch in another order: rows are locked in one order, so none waits on another in a circle.
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        store.applyUsage((i % 2 === 0 ? keys : [...keys].reverse()).map((k) => ({ keyId: k.id, lastUsedAt: 100 + i, count: 1 }))),
      ),
    );
    for (const k of keys) expect((await store.getKey(k.id))!.usageCount).toBe(8);
  });

  it('keeps the later of two credit snapshots, whatever order they come in', async () => {
    const { store } = database();
    const k = keyRecord({ ...ws, credits: { remaining: 100, refill: { amount: 100, intervalSeconds: 60 }, refilledAt: 1_000 } });
    await store.insertKey(k);
    const write = (remaining: number, refilledAt: number | null) =>
      store.applyUsage([{ keyId: k.id, lastUsedAt: 1, count: 1, credits: { remaining, refilledAt, version: k.version } }]);
    const credits = async () => (await store.getKey(k.id))!.credits;
    await write(90, 1_000);
    await write(95, 1_000); // an older snapshot of the same period: more left, so earlier
    expect(await credits()).toMatchObject({ remaining: 90, refilledAt: 1_000 });
    await write(99, 2_000); // a later refill
    expect(await credits()).toMatchObject({ remaining: 99, refilledAt: 2_000 });
    await write(10, 1_000); // a snapshot from before that refill
    expect(await credits()).toMatchObject({ remaining: 99, refilledAt: 2_000 });
    await write(98, 2_000);
    expect(await credits()).toMatchObject({ remaining: 98, refilledAt: 2_000, refill: { amount: 100, intervalSeconds: 60 } });
  });

  describe('through the key service', () => {
    let keys: KeyService;
    let actor: Actor;
    let keyspaceId: string;

    beforeAll(async () => {
      const deps = {
        store: database().store,
        keyring: MemoryKeyring.generate(),
        clock: new ManualClock(),
        bus: new LocalInvalidationBus(),
      };
      const root = await new RootKeyService(deps).bootstrap();
      actor = { id: `root_key:${root.record.id}`, workspaceId: root.record.workspaceId, ip: '127.0.0.1' };
      keys = new KeyService(deps);
      keyspaceId = (await keys.createKeyspace(actor, { name: 'usage', prefix: 'us' })).id;
    });

    it('writes usage in batches, and drops credit writes that raced with a management change', async () => {
      const { store } = database();
      const { record } = await keys.createKey(actor, { keyspaceId, credits: { remaining: 10 } });
      await store.applyUsage([
        { keyId: record.id, lastUsedAt: 123, count: 3, credits: { remaining: 7, refilledAt: null, version: record.version } },
      ]);
      let k = (await store.getKey(record.id))!;
      expect([k.usageCount, k.lastUsedAt, k.credits!.remaining]).toEqual([3, 123, 7]);
      await keys.updateKey(actor, record.id, { name: 'renamed' }); // not credits: version unchanged
      await store.applyUsage([
        { keyId: record.id, lastUsedAt: 124, count: 1, credits: { remaining: 6, refilledAt: null, version: record.version } },
      ]);
      expect((await store.getKey(record.id))!.credits!.remaining).toBe(6);
      await keys.updateKey(actor, record.id, { credits: { remaining: 50 } });
      await store.applyUsage([
        { keyId: record.id, lastUsedAt: 125, count: 1, credits: { remaining: 5, refilledAt: null, version: record.version } },
      ]);
      k = (await store.getKey(record.id))!;
      expect(k.credits!.remaining).toBe(50);
      expect(k.usageCount).toBe(5);
    });
  });
});
