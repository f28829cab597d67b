import { createHmac, randomBytes } from 'node:crypto';
import {
  EnvelopeKeyring,
  HASH_DOMAINS,
  LocalKek,
  MemoryKeyring,
  MemoryKeyringRepos,
  newId,
  wrappedKeyContext,
  type Store,
  type WrappedKeyRecord,
} from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';

/**
 * Domain separation of the pepper's HMAC (docs/security.md, "One pepper, many HMAC inputs"): a
 * labelled pepper hashes `tessera:<domain>` NUL `<value>`; a pepper made by 0.1.0 (no label
 * recorded) hashes the value alone, so what it hashed keeps verifying.
 */
const hmac = (key: Buffer, input: string) => createHmac('sha256', key).update(input, 'utf8').digest('base64url');
const VALUE = 'sk_live_7OJ5jDZOOJlaJH7sMkDSBNgIPVfTNreHXyI7znaMHDn4FDkF3';

describe.each(DIALECTS)('HMAC domains of the pepper (%s)', (dialect) => {
  let db: TestDatabase;
  let store: Store;
  let kek: LocalKek;
  const plainPepper = randomBytes(32);
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    store = db.store;
    kek = new LocalKek(new Map([[1, randomBytes(32)]]), 'local', { persist: () => {} });
    // The pepper row as release 0.1.0 wrote it: nothing says how it forms its input.
    const row = { scope: 'instance', purpose: 'pepper', version: 1 } as const;
    const { kekVersion, wrapped } = await kek.wrap(plainPepper, wrappedKeyContext(row));
    expect(
      await store.insertWrappedKey({
        ...row,
        id: newId('wrappedKey'),
        kekVersion,
        wrapped: wrapped.toString('base64url'),
        createdAt: Date.now(),
      }),
    ).toBe(true);
  });
  afterAll(() => db.drop());

  it('a pepper made by 0.1.0 is read as plain: every domain hashes the value alone, as 0.1.0 did', async () => {
    const keyring = await EnvelopeKeyring.open({ kek, repos: store });
    expect(keyring.pepperInput()).toBe('plain');
    expect((await keyring.status()).pepperInput).toBe('plain');
    for (const domain of HASH_DOMAINS) expect(keyring.hash(domain, VALUE)).toBe(hmac(plainPepper, VALUE));
  });

  it('a rotated pepper is labelled, in the store too: the same string hashes differently in every domain', async () => {
    const keyring = await EnvelopeKeyring.open({ kek, repos: store });
    expect(await keyring.rotatePepper()).toBe(2);
    const row = (await store.listWrappedKeys({ purpose: 'pepper' })).find((r) => r.version === 2)!;
    expect(row.hmacInput).toBe('labelled');
    // Another process (a node, after its refresh) reads the label from the store.
    const other = await EnvelopeKeyring.open({ kek, repos: store });
    expect(other.currentPepperVersion).toBe(2);
    expect(other.pepperInput()).toBe('labelled');
    expect(other.pepperInput(1)).toBe('plain');

    const pepper = await kek.unwrap(row.kekVersion, Buffer.from(row.wrapped, 'base64url'), wrappedKeyContext(row));
    const hashes = HASH_DOMAINS.map((domain) => other.hash(domain, VALUE));
    expect(new Set(hashes).size).toBe(HASH_DOMAINS.length);
    HASH_DOMAINS.forEach((domain, i) => expect(hashes[i]).toBe(hmac(pepper, `tessera:${domain}\0${VALUE}`)));
    expect(other.hash('api_key', VALUE)).not.toBe(hmac(pepper, VALUE));
    // What the old pepper hashed is still computed the old way.
    expect(other.hash('root_key', VALUE, 1)).toBe(hmac(plainPepper, VALUE));
  });
});

describe('a new keyring starts labelled', () => {
  it('as `tessera init` opens it (create), and in memory', async () => {
    const repos = new MemoryKeyringRepos();
    const keyring = await EnvelopeKeyring.open({ kek: LocalKek.generate(), repos, create: true });
    expect(keyring.pepperInput()).toBe('labelled');
    expect(repos.rows.filter((r: WrappedKeyRecord) => r.purpose === 'pepper').map((r) => r.hmacInput)).toEqual(['labelled']);
    const memory = MemoryKeyring.generate();
    expect(memory.pepperInput()).toBe('labelled');
    expect(memory.hash('api_key', VALUE)).not.toBe(memory.hash('client_secret', VALUE));
  });

  it('refuses a domain outside the closed list', () => {
    const keyring = MemoryKeyring.generate();
    expect(() => keyring.hash('session' as never, VALUE)).toThrow(/unknown hash domain/);
  });
});
