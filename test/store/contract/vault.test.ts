import type { SecretRecord } from '@tessera/core';
import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../../support/databases.js';
import { nextId, useDatabase } from './records.js';

/** The vault's port, on SQLite and PostgreSQL. */
describe.each(DIALECTS)('vault repos (%s)', (dialect) => {
  const database = useDatabase(dialect);
  const secret = (workspaceId: string, name: string, over: Partial<SecretRecord> = {}): SecretRecord => ({
    id: nextId('secret'),
    workspaceId,
    name,
    currentVersion: 1,
    rotateBy: null,
    createdAt: 1_000,
    updatedAt: 1_000,
    ...over,
  });
  const version = (secretId: string, v: number) => ({
    secretId,
    version: v,
    ciphertext: `v1.ws.1.iv.ct${v}.tag`,
    createdAt: 1_000 + v,
    createdBy: 'root_key:rk_contract',
  });

  it('writes a secret and reads it back exactly, by workspace and name; lists a workspace’s by name', async () => {
    const { store } = database();
    const [ws, other] = [nextId('workspace'), nextId('workspace')];
    const made = [
      secret(ws, 'db/password', {
        rotateBy: 1_800_000_000_000,
        currentVersion: 3,
        createdAt: 1_700_000_000_000,
        updatedAt: 1_700_000_000_001,
      }),
      secret(ws, 'api/stripe'),
      secret(ws, 'db/replica'),
    ];
    const elsewhere = secret(other, 'db/password');
    for (const s of [...made, elsewhere]) await store.insertSecret(s);
    for (const s of [...made, elsewhere]) expect(await store.getSecret(s.workspaceId, s.name)).toEqual(s);
    expect(await store.getSecret(ws, 'missing')).toBeUndefined();
    expect(await store.getSecret('ws_none000000000000000000000', 'db/password')).toBeUndefined();
    expect(await store.listSecrets(ws)).toEqual([made[1], made[0], made[2]]);
    expect(await store.listSecrets(other)).toEqual([elsewhere]);
    await expect(store.insertSecret(secret(ws, 'db/password'))).rejects.toThrow();
  });

  it('updates the fields given and no other', async () => {
    const { store } = database();
    const s = secret(nextId('workspace'), 'rotating', { rotateBy: 5_000 });
    await store.insertSecret(s);
    await store.updateSecret(s.id, { currentVersion: 2, updatedAt: 2_000 });
    expect(await store.getSecret(s.workspaceId, s.name)).toEqual({ ...s, currentVersion: 2, updatedAt: 2_000 });
    await store.updateSecret(s.id, { rotateBy: null, updatedAt: 3_000 });
    expect(await store.getSecret(s.workspaceId, s.name)).toEqual({ ...s, currentVersion: 2, rotateBy: null, updatedAt: 3_000 });
    await store.updateSecret(s.id, { rotateBy: 9_000, updatedAt: 4_000 });
    expect(await store.getSecret(s.workspaceId, s.name)).toMatchObject({ currentVersion: 2, rotateBy: 9_000, updatedAt: 4_000 });
  });

  it('keeps each version once, lists them in order, and deletes a secret with every version it kept', async () => {
    const { store } = database();
    const ws = nextId('workspace');
    const [s, kept] = [secret(ws, 'versions'), secret(ws, 'kept')];
    await store.insertSecret(s);
    await store.insertSecret(kept);
    for (const v of [2, 1, 3]) await store.insertSecretVersion(version(s.id, v));
    await store.insertSecretVersion(version(kept.id, 1));
    await expect(store.insertSecretVersion({ ...version(s.id, 2), ciphertext: 'again' })).rejects.toThrow();
    await expect(store.insertSecretVersion(version('sec_missing00000000000000000', 1))).rejects.toThrow();
    expect(await store.getSecretVersion(s.id, 2)).toEqual(version(s.id, 2));
    expect(await store.getSecretVersion(s.id, 4)).toBeUndefined();
    expect(await store.listSecretVersions(s.id)).toEqual([1, 2, 3].map((v) => ({ version: v, createdAt: 1_000 + v })));
    expect(await store.listSecretVersions('sec_missing00000000000000000')).toEqual([]);

    expect(await store.deleteSecret(s.id)).toBe(3);
    expect(await store.getSecret(ws, 'versions')).toBeUndefined();
    expect(await store.getSecretVersion(s.id, 1)).toBeUndefined();
    expect(await store.listSecretVersions(s.id)).toEqual([]);
    expect(await store.listSecrets(ws)).toEqual([kept]);
    expect(await store.getSecretVersion(kept.id, 1)).toEqual(version(kept.id, 1));
    expect(await store.deleteSecret(s.id)).toBe(0);
  });

  it('holds a secret read with a lock until the transaction ends, so two writers of one secret take turns', async () => {
    const { store } = database();
    const s = secret(nextId('workspace'), 'counter');
    await store.insertSecret(s);
    // Each writer reads the current version under the lock and writes the next: none is lost.
    const bump = () =>
      store.transaction(async (tx) => {
        const current = (await tx.getSecret(s.workspaceId, s.name, { lock: true }))!;
        await new Promise((r) => setTimeout(r, 5));
        await tx.insertSecretVersion(version(s.id, current.currentVersion + 1));
        await tx.updateSecret(s.id, { currentVersion: current.currentVersion + 1, updatedAt: 2_000 });
      });
    await Promise.all(Array.from({ length: 5 }, bump));
    expect((await store.getSecret(s.workspaceId, s.name))!.currentVersion).toBe(6);
    expect((await store.listSecretVersions(s.id)).map((v) => v.version)).toEqual([2, 3, 4, 5, 6]);
  });

  it('writes a secret and its first version together, or neither', async () => {
    const { store } = database();
    const s = secret(nextId('workspace'), 'atomic');
    await expect(
      store.transaction(async (tx) => {
        await tx.insertSecret(s);
        await tx.insertSecretVersion(version(s.id, 1));
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await store.getSecret(s.workspaceId, s.name)).toBeUndefined();
    expect(await store.listSecretVersions(s.id)).toEqual([]);
  });
});
