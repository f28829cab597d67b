import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../../support/databases.js';
import { nextId, rootKeyRecord, useDatabase } from './records.js';

/** The root key port, on SQLite and PostgreSQL. */
describe.each(DIALECTS)('root key repos (%s)', (dialect) => {
  const database = useDatabase(dialect);
  const workspace = async () => {
    const id = nextId('workspace');
    await database().store.insertWorkspace({ id, name: id, createdAt: 1 });
    return id;
  };

  it('writes every field of a root key and reads it back exactly, by id and by hash; lists those of one workspace by id', async () => {
    const { store } = database();
    const [ws, other] = [await workspace(), await workspace()];
    const full = rootKeyRecord(ws, {
      name: 'Deploy — CI 🤖',
      pepperVersion: 2,
      permissions: ['keys:read', 'keys:write', 'secrets:read:db/*'],
      createdAt: 1_700_000_000_000,
      revokedAt: 1_700_000_000_500,
      lastUsedAt: 1_700_000_000_400,
      expiresAt: 1_800_000_000_000,
      ipAllowlist: ['192.0.2.0/24', '2001:db8::/32'],
      keyspaceIds: ['ks_a000000000000000000000000', 'ks_b000000000000000000000000'],
      rolledToId: 'rk_next000000000000000000000',
    });
    const plain = rootKeyRecord(ws);
    const elsewhere = rootKeyRecord(other);
    for (const rk of [plain, full, elsewhere].reverse()) await store.insertRootKey(rk);
    for (const rk of [full, plain, elsewhere]) {
      expect(await store.getRootKey(rk.id)).toEqual(rk);
      expect(await store.findRootKeyByHash(rk.hash)).toEqual(rk);
    }
    expect(await store.getRootKey('rk_missing00000000000000000')).toBeUndefined();
    expect(await store.findRootKeyByHash('missing')).toBeUndefined();
    expect(await store.listRootKeys(ws)).toEqual([full, plain]);
    expect(await store.listRootKeys(other)).toEqual([elsewhere]);
    await expect(store.insertRootKey({ ...rootKeyRecord(ws), hash: full.hash })).rejects.toThrow();
    await expect(store.insertRootKey(rootKeyRecord('ws_none000000000000000000000'))).rejects.toThrow();
  });

  it('updates the fields given and no other', async () => {
    const { store } = database();
    const rk = rootKeyRecord(await workspace(), { expiresAt: 9_000, lastUsedAt: 10 });
    await store.insertRootKey(rk);
    await store.updateRootKey(rk.id, { hash: 'rehashed', pepperVersion: 2 });
    expect(await store.getRootKey(rk.id)).toEqual({ ...rk, hash: 'rehashed', pepperVersion: 2 });
    await store.updateRootKey(rk.id, { revokedAt: 5_000, expiresAt: null, rolledToId: 'rk_x000000000000000000000000' });
    const changed = {
      ...rk,
      hash: 'rehashed',
      pepperVersion: 2,
      revokedAt: 5_000,
      expiresAt: null,
      rolledToId: 'rk_x000000000000000000000000',
    };
    expect(await store.getRootKey(rk.id)).toEqual(changed);
    await store.updateRootKey(rk.id, {});
    await store.updateRootKey(rk.id, { revokedAt: null, rolledToId: null });
    expect(await store.getRootKey(rk.id)).toEqual({ ...changed, revokedAt: null, rolledToId: null });
  });

  it('marks a live root key rolled once, whoever asks first', async () => {
    const { store } = database();
    const ws = await workspace();
    const rk = rootKeyRecord(ws);
    const revoked = rootKeyRecord(ws, { revokedAt: 1 });
    await store.insertRootKey(rk);
    await store.insertRootKey(revoked);
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        store.transaction((tx) => tx.markRootKeyRolled(rk.id, { rolledToId: `rk_to${i}0000000000000000000000`, expiresAt: 1_000 + i })),
      ),
    );
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    const i = outcomes.indexOf(true);
    expect(await store.getRootKey(rk.id)).toEqual({ ...rk, rolledToId: `rk_to${i}0000000000000000000000`, expiresAt: 1_000 + i });
    expect(await store.markRootKeyRolled(rk.id, { rolledToId: 'rk_again000000000000000000000', expiresAt: 1 })).toBe(false);
    expect(await store.markRootKeyRolled(revoked.id, { rolledToId: 'rk_to00000000000000000000000', expiresAt: 1 })).toBe(false);
    expect(await store.markRootKeyRolled('rk_missing00000000000000000', { rolledToId: 'rk_to0', expiresAt: 1 })).toBe(false);
    expect(await store.getRootKey(revoked.id)).toEqual(revoked);
  });

  it('moves last-used times forward only', async () => {
    const { store } = database();
    const ws = await workspace();
    const [a, b] = [rootKeyRecord(ws), rootKeyRecord(ws, { lastUsedAt: 5_000 })];
    await store.insertRootKey(a);
    await store.insertRootKey(b);
    await store.touchRootKeys([]);
    await store.touchRootKeys([
      { id: a.id, lastUsedAt: 3_000 },
      { id: b.id, lastUsedAt: 4_000 }, // older than what is stored: ignored
      { id: 'rk_missing00000000000000000', lastUsedAt: 1 },
    ]);
    expect((await store.getRootKey(a.id))!.lastUsedAt).toBe(3_000);
    expect((await store.getRootKey(b.id))!.lastUsedAt).toBe(5_000);
    await store.touchRootKeys([
      { id: a.id, lastUsedAt: 2_000 },
      { id: b.id, lastUsedAt: 6_000 },
    ]);
    expect((await store.getRootKey(a.id))!.lastUsedAt).toBe(3_000);
    expect((await store.getRootKey(b.id))!.lastUsedAt).toBe(6_000);
  });

  it('counts the root keys of every workspace', async () => {
    const { store } = database();
    const before = await store.countRootKeys();
    const [ws, other] = [await workspace(), await workspace()];
    await store.insertRootKey(rootKeyRecord(ws));
    await store.insertRootKey(rootKeyRecord(other, { revokedAt: 1 }));
    expect(await store.countRootKeys()).toBe(before + 2);
  });
});
