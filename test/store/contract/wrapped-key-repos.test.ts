import { MemoryKeyringRepos, type KeyringRepos, type WrappedKeyRecord } from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../support/databases.js';
import { nextId } from './records.js';

/** The keyring's port: on SQLite, on PostgreSQL, and in memory. */
describe.each([...DIALECTS, 'memory' as const])('keyring repos (%s)', (kind) => {
  let db: TestDatabase | undefined;
  let repos: KeyringRepos;
  beforeAll(async () => {
    if (kind === 'memory') repos = new MemoryKeyringRepos();
    else repos = (db = await createTestDatabase(kind)).store;
  });
  afterAll(() => db?.drop());

  const wrapped = (scope: string, purpose: WrappedKeyRecord['purpose'], version: number, over: Partial<WrappedKeyRecord> = {}) => ({
    id: nextId('wrappedKey'),
    scope,
    purpose,
    version,
    kekVersion: 1,
    wrapped: `wrapped-${scope}-${purpose}-${version}`,
    createdAt: 1_700_000_000_000 + version,
    ...over,
  });

  it('keeps one key per scope, purpose and version, and reads every field back exactly', async () => {
    expect(await repos.listWrappedKeys()).toEqual([]);
    const pepper = wrapped('instance', 'pepper', 1, { hmacInput: 'labelled' });
    const data = wrapped('instance', 'data', 1);
    expect(await repos.insertWrappedKey(pepper)).toBe(true);
    expect(await repos.insertWrappedKey(data)).toBe(true);
    expect(await repos.insertWrappedKey(wrapped('instance', 'data', 1, { wrapped: 'another node' }))).toBe(false);
    expect(await repos.listWrappedKeys()).toEqual([data, pepper]);
  });

  it('lists by scope, by purpose or both, ordered by scope, purpose and version', async () => {
    const keys = [
      wrapped('ws_b', 'data', 2),
      wrapped('ws_a', 'data', 1),
      wrapped('ws_b', 'data', 1),
      wrapped('instance', 'pepper', 2),
      wrapped('ws_b', 'data', 10),
    ];
    for (const k of keys) expect(await repos.insertWrappedKey(k)).toBe(true);
    const [b2, a1, b1, p2, b10] = keys;
    const data = await repos.listWrappedKeys({ purpose: 'data' });
    expect(data.filter((k) => k.scope !== 'instance')).toEqual([a1, b1, b2, b10]);
    expect(await repos.listWrappedKeys({ scope: 'ws_b' })).toEqual([b1, b2, b10]);
    expect(await repos.listWrappedKeys({ scope: 'ws_b', purpose: 'pepper' })).toEqual([]);
    expect((await repos.listWrappedKeys({ scope: 'instance', purpose: 'pepper' })).map((k) => k.version)).toEqual([1, 2]);
    expect((await repos.listWrappedKeys({ scope: 'instance', purpose: 'pepper' }))[1]).toEqual(p2);
    expect(await repos.listWrappedKeys({ scope: 'ws_none' })).toEqual([]);
  });

  it('re-wraps a key only from the KEK version it is under', async () => {
    const k = wrapped('ws_rewrap', 'data', 1, { kekVersion: 3 });
    await repos.insertWrappedKey(k);
    expect(await repos.rewrapKey(k.id, 2, 4, 'new')).toBe(false);
    expect(await repos.rewrapKey('wk_missing00000000000000000', 3, 4, 'new')).toBe(false);
    expect(await repos.rewrapKey(k.id, 3, 4, 'rewrapped')).toBe(true);
    expect(await repos.rewrapKey(k.id, 3, 5, 'again')).toBe(false); // another process re-wrapped it first
    expect(await repos.listWrappedKeys({ scope: 'ws_rewrap' })).toEqual([{ ...k, kekVersion: 4, wrapped: 'rewrapped' }]);
  });

  it('lets one of several nodes making the same key version win', async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, (_, i) => repos.insertWrappedKey(wrapped('ws_race', 'data', 1, { wrapped: `node ${i}` }))),
    );
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    expect((await repos.listWrappedKeys({ scope: 'ws_race' })).map((k) => k.wrapped)).toEqual([`node ${outcomes.indexOf(true)}`]);
  });
});
