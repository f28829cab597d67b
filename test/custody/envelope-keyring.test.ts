import { randomBytes } from 'node:crypto';
import { EnvelopeKeyring, LocalKek, TesseraError, type Store } from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';

const aad = (row: string) => `test_secret:${row}`;

describe.each(DIALECTS)('envelope keyring over the store (%s)', (dialect) => {
  let db: TestDatabase;
  let store: Store;
  let kek: LocalKek;
  let keyring: EnvelopeKeyring;
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    store = db.store;
    kek = new LocalKek(new Map([[1, randomBytes(32)]]), 'local', { persist: () => {} });
    keyring = await EnvelopeKeyring.open({ kek, repos: store, create: true });
  });
  afterAll(() => db.drop());

  it('round-trips a value and carries the data key scope and version', async () => {
    const ct = await keyring.encrypt(Buffer.from('tok_live_abc'), aad('r1'), { workspaceId: 'ws_a' });
    expect(ct).toMatch(/^v1\.ws_a\.1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect((await keyring.decrypt(ct, aad('r1'))).toString()).toBe('tok_live_abc');
    // A fresh 12-byte IV every time: the same value never gives the same ciphertext.
    expect(await keyring.encrypt(Buffer.from('tok_live_abc'), aad('r1'), { workspaceId: 'ws_a' })).not.toBe(ct);
  });

  it('refuses a ciphertext copied to another row or purpose, or with an edited header', async () => {
    const ct = await keyring.encrypt(Buffer.from('value-for-row-1'), aad('r1'), { workspaceId: 'ws_a' });
    await expect(keyring.decrypt(ct, aad('r2'))).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });
    await expect(keyring.decrypt(ct, `other_purpose:r1`)).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });
    // Claiming another workspace's key or another version does not decrypt either.
    await keyring.encrypt(Buffer.from('x'), aad('b'), { workspaceId: 'ws_b' });
    await expect(keyring.decrypt(ct.replace('.ws_a.', '.ws_b.'), aad('r1'))).rejects.toBeInstanceOf(TesseraError);
    const parts = ct.split('.');
    parts[4] = Buffer.from(Buffer.from(parts[4]!, 'base64url').map((b, i) => (i === 0 ? b ^ 1 : b))).toString('base64url');
    await expect(keyring.decrypt(parts.join('.'), aad('r1'))).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });
    await expect(keyring.decrypt('v1.ws_a.1.garbage', aad('r1'))).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });
  });

  it('keeps data keys per workspace, wrapped: the store never holds one in the clear', async () => {
    await keyring.encrypt(Buffer.from('y'), aad('c'), { workspaceId: 'ws_c' });
    const rows = await store.listWrappedKeys({ purpose: 'data' });
    expect(new Set(rows.map((r) => r.scope))).toEqual(new Set(['ws_a', 'ws_b', 'ws_c']));
    for (const r of rows) expect(Buffer.from(r.wrapped, 'base64url').length).toBe(12 + 32 + 16);
  });

  it('rotates data keys: new ciphertexts use the new version, old ones stay readable', async () => {
    const old = await keyring.encrypt(Buffer.from('before'), aad('rot'), { workspaceId: 'ws_a' });
    const rotated = await keyring.rotateDataKeys(['ws_a']);
    expect(rotated).toEqual([{ scope: 'ws_a', version: 2 }]);
    const fresh = await keyring.encrypt(Buffer.from('after'), aad('rot2'), { workspaceId: 'ws_a' });
    expect(fresh.split('.')[2]).toBe('2');
    expect((await keyring.decrypt(old, aad('rot'))).toString()).toBe('before');
    expect((await keyring.decrypt(fresh, aad('rot2'))).toString()).toBe('after');
  });

  it('rotates the KEK by re-wrapping every key, without re-encrypting data', async () => {
    const ct = await keyring.encrypt(Buffer.from('survives'), aad('kek'), { workspaceId: 'ws_b' });
    const before = await store.listWrappedKeys();
    const seen: number[] = [];
    const { kekVersion, rewrapped } = await keyring.rotateKek((done) => seen.push(done));
    expect(kekVersion).toBe(2);
    expect(rewrapped).toBe(before.length);
    expect(seen.at(-1)).toBe(before.length);
    const after = await store.listWrappedKeys();
    expect(after.every((r) => r.kekVersion === 2)).toBe(true);
    for (const r of after) expect(r.wrapped).not.toBe(before.find((b) => b.id === r.id)!.wrapped);
    // A second process that only knows the new KEK still reads everything.
    const onlyNew = new LocalKek(new Map([[2, exportKek(kek, 2)]]));
    const reopened = await EnvelopeKeyring.open({ kek: onlyNew, repos: store });
    expect((await reopened.decrypt(ct, aad('kek'))).toString()).toBe('survives');
    expect(reopened.hash('api_key', 'k')).toBe(keyring.hash('api_key', 'k'));
  });

  it('refuses to open with the wrong KEK, with a clear error', async () => {
    const wrong = new LocalKek(new Map([[2, randomBytes(32)]]));
    await expect(EnvelopeKeyring.open({ kek: wrong, repos: store })).rejects.toThrow(/does not unwrap/);
  });

  it('rotates the pepper: new hashes use the new version, old ones stay computable', async () => {
    const h1 = keyring.hash('api_key', 'sk_test_value');
    const v = await keyring.rotatePepper();
    expect(v).toBe(2);
    expect(keyring.currentPepperVersion).toBe(2);
    expect(keyring.pepperVersions).toEqual([2, 1]);
    expect(keyring.hash('api_key', 'sk_test_value', 1)).toBe(h1);
    expect(keyring.hash('api_key', 'sk_test_value')).not.toBe(h1);
    const other = await EnvelopeKeyring.open({ kek, repos: store });
    expect(other.pepperVersions).toEqual([2, 1]);
  });
});

/** Reads a KEK version back out of a LocalKek, only to build a second process's view in this test. */
function exportKek(kek: LocalKek, version: number): Buffer {
  return (kek as unknown as { keys: Map<number, { export(): Buffer }> }).keys.get(version)!.export();
}
