import { randomBytes } from 'node:crypto';
import { newId, type KeyRecord, type Repos, type RootKeyRecord } from '@tessera/core';
import { afterAll, beforeAll } from 'vitest';
import { createTestDatabase, type Dialect, type TestDatabase } from '../../support/databases.js';

/** Records and set-up shared by the contract files of the core ports. */

/** A fresh, migrated database of `dialect` for the calling file's describe block. */
export function useDatabase(dialect: Dialect): () => TestDatabase {
  let db: TestDatabase | undefined;
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
  });
  afterAll(() => db?.drop());
  return () => db!;
}

/** Ids that sort in the order they were made (each one a millisecond later). */
let idTime = Date.parse('2026-01-01T00:00:00Z');
export const nextId = (kind: Parameters<typeof newId>[0]): string => newId(kind, idTime++);

/** A hash no other record has. */
export const uniqueHash = (): string => randomBytes(24).toString('base64url');

/** A workspace with one keyspace, written through the port. */
export async function seedKeyspace(
  repos: Pick<Repos, 'insertWorkspace' | 'insertKeyspace'>,
  o: { recoverable?: boolean } = {},
): Promise<{ workspaceId: string; keyspaceId: string }> {
  const workspaceId = nextId('workspace');
  const keyspaceId = nextId('keyspace');
  await repos.insertWorkspace({ id: workspaceId, name: `ws ${workspaceId}`, createdAt: 1_000 });
  await repos.insertKeyspace({
    id: keyspaceId,
    workspaceId,
    name: 'contract',
    prefix: 'ct',
    recoverable: o.recoverable ?? false,
    createdAt: 1_000,
  });
  return { workspaceId, keyspaceId };
}

/** A key record with nothing optional set, unless `over` sets it. */
export function keyRecord(over: Partial<KeyRecord> & { workspaceId: string; keyspaceId: string }): KeyRecord {
  return {
    id: nextId('key'),
    hash: uniqueHash(),
    pepperVersion: 1,
    start: 'ct_abcd',
    ownerId: null,
    name: null,
    scopes: [],
    meta: null,
    environment: null,
    createdAt: 1_000,
    updatedAt: 1_000,
    expiresAt: null,
    enabled: true,
    revokedAt: null,
    revokeReason: null,
    deletedAt: null,
    ipAllowlist: [],
    ratelimits: [],
    credits: null,
    lastUsedAt: null,
    usageCount: 0,
    version: 1,
    rolledToId: null,
    ...over,
  };
}

/** A key record with every field set, to see each one written and read back. */
export function fullKeyRecord(over: { workspaceId: string; keyspaceId: string }): KeyRecord {
  return keyRecord({
    ...over,
    pepperVersion: 3,
    ownerId: 'owner-1',
    name: 'Schlüssel 🔑',
    scopes: ['read', 'write:*'],
    meta: { nested: { list: [1, 'two', null, true] }, unicode: 'żółw 🐢', quote: '"\\' },
    environment: 'live',
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_001,
    expiresAt: 1_800_000_000_000,
    enabled: false,
    revokedAt: 1_750_000_000_000,
    revokeReason: 'leaked',
    deletedAt: 1_760_000_000_000,
    ipAllowlist: ['10.0.0.0/8', '2001:db8::/32'],
    ratelimits: [
      { name: 'per-second', limit: 5, windowMs: 1000 },
      { name: 'owner', limit: 100, windowMs: 60_000, identity: 'owner' },
    ],
    credits: { remaining: 9_000_000_000, refill: { amount: 100, intervalSeconds: 60 }, refilledAt: 1_700_000_000_500 },
    lastUsedAt: 1_700_000_000_900,
    usageCount: 42,
    version: 7,
    rolledToId: 'key_rolledTo000000000000000',
  });
}

/** A live root key of `workspaceId`, unless `over` says otherwise. */
export function rootKeyRecord(workspaceId: string, over: Partial<RootKeyRecord> = {}): RootKeyRecord {
  return {
    id: nextId('rootKey'),
    workspaceId,
    name: 'contract',
    hash: uniqueHash(),
    pepperVersion: 1,
    start: 'tessera_root_abcd',
    permissions: ['keys:read'],
    createdAt: 1_000,
    revokedAt: null,
    lastUsedAt: null,
    expiresAt: null,
    ipAllowlist: [],
    keyspaceIds: null,
    rolledToId: null,
    otherWorkspaceIds: [],
    ...over,
  };
}
