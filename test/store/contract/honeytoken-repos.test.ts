import type { MonitoringStore } from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../support/databases.js';

/** The honeytoken port, every method, on every backend. */
describe.each(DIALECTS)('honeytoken repos contract (%s)', (dialect) => {
  let db: TestDatabase;
  let repos: MonitoringStore;
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    repos = db.ports.monitoring;
  });
  afterAll(() => db.drop());

  it('lists no decoy until one is stored, then every workspace’s', async () => {
    expect(await repos.listHoneytokenIds()).toEqual([]);
    await repos.insertHoneytoken({ keyId: 'key_decoy1', workspaceId: 'ws_a', createdAt: 1 });
    await repos.transaction((tx) => tx.insertHoneytoken({ keyId: 'key_decoy2', workspaceId: 'ws_b', createdAt: 2 }));
    expect((await repos.listHoneytokenIds()).sort()).toEqual(['key_decoy1', 'key_decoy2']);
  });

  it('refuses the same key as a decoy twice', async () => {
    await expect(repos.insertHoneytoken({ keyId: 'key_decoy1', workspaceId: 'ws_a', createdAt: 3 })).rejects.toThrow();
    expect((await repos.listHoneytokenIds()).filter((id) => id === 'key_decoy1')).toHaveLength(1);
  });
});
