import { beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../support/databases.js';
import { keyRecord, seedKeyspace, useDatabase } from './records.js';

/** The port of recoverable keys' ciphertexts, on SQLite and PostgreSQL. */
describe.each(DIALECTS)('key recovery repos (%s)', (dialect) => {
  const database = useDatabase(dialect);
  let ws: { workspaceId: string; keyspaceId: string };
  beforeAll(async () => {
    ws = await seedKeyspace(database().store, { recoverable: true });
  });

  it('keeps one ciphertext per key, of a key that exists, and reads it back exactly', async () => {
    const { store } = database();
    const key = keyRecord(ws);
    await store.insertKey(key);
    expect(await store.getKeyRecovery(key.id)).toBeUndefined();
    const sealed = { keyId: key.id, ciphertext: `v1.${ws.workspaceId}.1.iv.ct.tag`, createdAt: 1_700_000_000_000 };
    await store.insertKeyRecovery(sealed);
    expect(await store.getKeyRecovery(key.id)).toEqual(sealed);
    await expect(store.insertKeyRecovery({ ...sealed, ciphertext: 'another' })).rejects.toThrow();
    await expect(store.insertKeyRecovery({ ...sealed, keyId: 'key_missing00000000000000000' })).rejects.toThrow();
    expect(await store.getKeyRecovery(key.id)).toEqual(sealed);
  });

  it('writes a key and its ciphertext together, or neither', async () => {
    const { store } = database();
    const key = keyRecord(ws);
    await expect(
      store.transaction(async (tx) => {
        await tx.insertKey(key);
        await tx.insertKeyRecovery({ keyId: key.id, ciphertext: 'c', createdAt: 1 });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await store.getKey(key.id)).toBeUndefined();
    expect(await store.getKeyRecovery(key.id)).toBeUndefined();
  });
});
