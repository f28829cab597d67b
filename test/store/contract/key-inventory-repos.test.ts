import {
  KeyService,
  LocalInvalidationBus,
  ManualClock,
  MemoryKeyring,
  RootKeyService,
  type Actor,
  type KeyRecord,
  type MonitoringStore,
} from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../support/databases.js';

/** The key inventory port (what the hygiene sweep reads and changes of the keys), every method, on every backend. */
describe.each(DIALECTS)('key inventory repos contract (%s)', (dialect) => {
  let db: TestDatabase;
  let repos: MonitoringStore;
  let keys: KeyService;
  let actor: Actor;
  const clock = new ManualClock(Date.parse('2026-03-02T10:00:00Z'));

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    repos = db.ports.monitoring;
    const deps = { store: db.store, keyring: MemoryKeyring.generate(), clock, bus: new LocalInvalidationBus() };
    const root = await new RootKeyService(deps).bootstrap();
    actor = { id: `root_key:${root.record.id}`, workspaceId: root.record.workspaceId, ip: null };
    keys = new KeyService(deps);
  });
  afterAll(() => db.drop());

  const newKey = async (keyspaceId: string): Promise<KeyRecord> => {
    clock.advance(1);
    return (await keys.createKey(actor, { keyspaceId })).record;
  };

  it('lists every keyspace of every workspace, by id', async () => {
    const made = [
      await keys.createKeyspace(actor, { name: 'one', prefix: 'inva' }),
      await keys.createKeyspace(actor, { name: 'two', prefix: 'invb' }),
    ];
    const all = await repos.listAllKeyspaces();
    for (const ks of made) expect(all).toContainEqual({ id: ks.id, workspaceId: actor.workspaceId });
    expect(all.map((k) => k.id)).toEqual([...all.map((k) => k.id)].sort());
  });

  it('pages through a keyspace’s live keys by id, leaving out revoked and deleted ones', async () => {
    const ks = await keys.createKeyspace(actor, { name: 'live', prefix: 'invl' });
    const other = await keys.createKeyspace(actor, { name: 'other', prefix: 'invo' });
    const made: KeyRecord[] = [];
    for (let i = 0; i < 6; i++) made.push(await newKey(ks.id));
    await newKey(other.id);
    await keys.revokeKey(actor, made[1]!.id, 'gone');
    await keys.deleteKey(actor, made[4]!.id);
    const live = [made[0]!, made[2]!, made[3]!, made[5]!].map((k) => k.id);
    const first = await repos.listLiveKeys(ks.id, undefined, 3);
    expect(first.map((k) => k.id)).toEqual(live.slice(0, 3));
    expect(first[0]).toEqual(await db.store.getKey(made[0]!.id));
    const rest = await repos.listLiveKeys(ks.id, first[2]!.id, 3);
    expect(rest.map((k) => k.id)).toEqual(live.slice(3));
    expect(await repos.listLiveKeys('ks_none', undefined, 10)).toEqual([]);
  });

  it('caps the expiry of a keyspace’s live keys that never expire or expire later, but those excepted, answering them as they were', async () => {
    const ks = await keys.createKeyspace(actor, { name: 'cap', prefix: 'invp' });
    const other = await keys.createKeyspace(actor, { name: 'cap other', prefix: 'invq' });
    const latest = clock.now() + 30 * 86_400_000;
    const forever = await newKey(ks.id);
    const late = await newKey(ks.id);
    await db.store.updateKey(late.id, { expiresAt: latest + 1 });
    const soon = await newKey(ks.id);
    await db.store.updateKey(soon.id, { expiresAt: latest });
    const revoked = await newKey(ks.id);
    await keys.revokeKey(actor, revoked.id);
    const decoy = await newKey(ks.id);
    const elsewhere = await newKey(other.id);
    const before = [(await db.store.getKey(forever.id))!, (await db.store.getKey(late.id))!];
    const at = clock.now() + 5;
    const capped = await repos.transaction((tx) => tx.capLiveKeyExpiries(ks.id, latest, { at, except: [decoy.id] }));
    expect(capped).toEqual(before);
    for (const k of [forever, late]) expect(await db.store.getKey(k.id)).toMatchObject({ expiresAt: latest, updatedAt: at });
    expect((await db.store.getKey(soon.id))!.expiresAt).toBe(latest);
    for (const k of [revoked, decoy, elsewhere]) expect((await db.store.getKey(k.id))!.expiresAt).toBeNull();
    expect(await repos.capLiveKeyExpiries(ks.id, latest, { at, except: [] })).toEqual(
      [decoy].map((k) => expect.objectContaining({ id: k.id })),
    );
    expect(await repos.capLiveKeyExpiries(ks.id, latest, { at, except: [] })).toEqual([]);
  });

  it('restores a scheduled expiry only while the key still holds it unchanged (compare-and-set)', async () => {
    const ks = await keys.createKeyspace(actor, { name: 'cas', prefix: 'invc' });
    const scheduledAt = clock.now();
    const expiresAt = scheduledAt + 14 * 86_400_000;
    const schedule = async () => {
      const k = await newKey(ks.id);
      await db.store.updateKey(k.id, { expiresAt, updatedAt: scheduledAt });
      return k;
    };
    const restore = (k: KeyRecord, at = scheduledAt + 5) => repos.restoreScheduledExpiry(k.id, { expiresAt, scheduledAt }, 42, at);

    const plain = await schedule();
    expect(await repos.transaction((tx) => tx.restoreScheduledExpiry(plain.id, { expiresAt, scheduledAt }, 42, scheduledAt + 5))).toBe(
      true,
    );
    expect(await db.store.getKey(plain.id)).toMatchObject({ expiresAt: 42, updatedAt: scheduledAt + 5 });
    expect(await restore(plain)).toBe(false); // no longer the scheduled expiry

    const changed = await schedule();
    await db.store.updateKey(changed.id, { updatedAt: scheduledAt + 1 });
    expect(await restore(changed)).toBe(false);

    const rolled = await schedule();
    await db.store.updateKey(rolled.id, { rolledToId: 'key_next' });
    await db.store.updateKey(rolled.id, { updatedAt: scheduledAt });
    expect(await restore(rolled)).toBe(false);

    const revoked = await schedule();
    await db.store.updateKey(revoked.id, { revokedAt: scheduledAt, updatedAt: scheduledAt });
    expect(await restore(revoked)).toBe(false);

    const deleted = await schedule();
    await db.store.updateKey(deleted.id, { deletedAt: scheduledAt, updatedAt: scheduledAt });
    expect(await restore(deleted)).toBe(false);
    expect(await db.store.getKey(deleted.id)).toMatchObject({ expiresAt });

    expect(await repos.restoreScheduledExpiry('key_none', { expiresAt, scheduledAt }, null, scheduledAt)).toBe(false);
  });
});
