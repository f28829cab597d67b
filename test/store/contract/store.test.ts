import { appendAudit, MemoryKeyring, type Store } from '@tessera/core';
import { KyselyStore } from '@tessera/store';
import { beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../support/databases.js';
import { keyRecord, nextId, rootKeyRecord, seedKeyspace, useDatabase } from './records.js';

/** The store itself: its transactions across every port, and its life cycle; on SQLite and PostgreSQL. */
describe.each(DIALECTS)('store (%s)', (dialect) => {
  const database = useDatabase(dialect);
  let ws: { workspaceId: string; keyspaceId: string };
  beforeAll(async () => {
    ws = await seedKeyspace(database().store);
  });
  const clock = { now: () => 1_000 };

  it('names its dialect and answers a ping', async () => {
    const { store } = database();
    expect(store.dialect).toBe(dialect);
    await expect(store.ping()).resolves.toBeUndefined();
  });

  it('answers what the transaction returns, and sees its own writes before the commit', async () => {
    const { store } = database();
    const key = keyRecord(ws);
    const seen = await store.transaction(async (tx) => {
      await tx.insertKey(key);
      return (await tx.getKey(key.id))?.id;
    });
    expect(seen).toBe(key.id);
    expect(await store.getKey(key.id)).toEqual(key);
  });

  it('writes all of a transaction through every port, or none of it', async () => {
    const { store } = database();
    const key = keyRecord(ws);
    const rk = rootKeyRecord(ws.workspaceId);
    const secretId = nextId('secret');
    const head = await store.auditHead();
    const wrappedBefore = (await store.listWrappedKeys()).length;
    const writeAll = (fail: boolean) =>
      store.transaction(async (tx) => {
        await tx.insertKey(key);
        await tx.insertKeyRecovery({ keyId: key.id, ciphertext: 'c', createdAt: 1 });
        await tx.insertRootKey(rk);
        await tx.insertKeyspace({
          id: `${ws.keyspaceId}x`,
          workspaceId: ws.workspaceId,
          name: 'x',
          prefix: 'xx',
          recoverable: false,
          createdAt: 1,
        });
        await tx.insertSecret({
          id: secretId,
          workspaceId: ws.workspaceId,
          name: 'all',
          currentVersion: 1,
          rotateBy: null,
          createdAt: 1,
          updatedAt: 1,
        });
        await tx.insertSecretVersion({ secretId, version: 1, ciphertext: 'c', createdAt: 1, createdBy: 'system' });
        await tx.insertWrappedKey({
          id: nextId('wrappedKey'),
          scope: 'ws_all',
          purpose: 'data',
          version: 1,
          kekVersion: 1,
          wrapped: 'w',
          createdAt: 1,
        });
        await tx.insertAuditSigningKey({ version: 77, publicKey: 'p', privateKey: 'k', createdAt: 1 });
        await tx.insertAuditCheckpoint({ seq: 777_777, hash: 'h', ts: 1, keyVersion: 77, signature: 's' });
        await appendAudit(tx, clock, { id: 'system', workspaceId: ws.workspaceId, ip: null }, { action: 'key.created', target: key.id });
        if (fail) throw new Error('boom');
      });
    await expect(writeAll(true)).rejects.toThrow('boom');
    expect(await store.getKey(key.id)).toBeUndefined();
    expect(await store.getKeyRecovery(key.id)).toBeUndefined();
    expect(await store.getRootKey(rk.id)).toBeUndefined();
    expect(await store.getKeyspace(`${ws.keyspaceId}x`)).toBeUndefined();
    expect(await store.getSecret(ws.workspaceId, 'all')).toBeUndefined();
    expect(await store.listSecretVersions(secretId)).toEqual([]);
    expect(await store.listWrappedKeys()).toHaveLength(wrappedBefore);
    expect((await store.listAuditSigningKeys()).map((k) => k.version)).not.toContain(77);
    expect(await store.listAuditCheckpoints(777_776, 1)).toEqual([]);
    expect(await store.auditHead()).toEqual(head);

    await writeAll(false);
    expect(await store.getKey(key.id)).toEqual(key);
    expect(await store.getKeyRecovery(key.id)).toMatchObject({ keyId: key.id });
    expect(await store.getRootKey(rk.id)).toEqual(rk);
    expect(await store.getSecret(ws.workspaceId, 'all')).toMatchObject({ id: secretId });
    expect(await store.listWrappedKeys()).toHaveLength(wrappedBefore + 1);
    expect(await store.listAuditCheckpoints(777_776, 1)).toMatchObject([{ seq: 777_777 }]);
    expect((await store.auditHead()).seq).toBe(head.seq + 1);
  });

  it('keeps what it wrote across a reopen, and is closed for good once closed', async () => {
    const { file, url, schema } = database();
    const open = (): KyselyStore =>
      dialect === 'sqlite'
        ? KyselyStore.open({ kind: 'sqlite', file: file! })
        : KyselyStore.open({ kind: 'postgres', url: url!, schema, poolSize: 1 });
    const first: Store = open();
    const key = keyRecord(ws);
    await first.insertKey(key);
    await first.close();
    await expect(first.ping()).rejects.toThrow();
    const second = open();
    try {
      expect(await second.getKey(key.id)).toEqual(key);
      expect(await second.pendingMigrations()).toEqual([]);
    } finally {
      await second.close();
    }
  });

  it('runs beside the keyring it serves: the keyring opens over the store', async () => {
    const { store } = database();
    // A keyring over the store's keyring port, as the server opens it.
    const keyring = new MemoryKeyring([{ version: 1, key: Buffer.alloc(32, 7) }], undefined, store);
    const sealed = await keyring.encrypt(Buffer.from('hello'), 'contract:1', { workspaceId: ws.workspaceId });
    expect((await keyring.decrypt(sealed, 'contract:1')).toString()).toBe('hello');
    expect((await store.listWrappedKeys({ scope: ws.workspaceId, purpose: 'data' })).map((k) => k.version)).toEqual([1]);
  });
});
