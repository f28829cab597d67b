import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../../support/databases.js';
import { nextId, useDatabase } from './records.js';

/** The port of workspaces and keyspaces, on SQLite and PostgreSQL. */
describe.each(DIALECTS)('keyspace repos (%s)', (dialect) => {
  const database = useDatabase(dialect);

  it('writes a keyspace and reads it back exactly, and lists those of one workspace by id', async () => {
    const { store } = database();
    const [a, b] = [nextId('workspace'), nextId('workspace')];
    await store.insertWorkspace({ id: a, name: 'a', createdAt: 1 });
    await store.insertWorkspace({ id: b, name: 'b', createdAt: 2 });
    const made = [
      { id: nextId('keyspace'), workspaceId: a, name: 'Produktion 🚀', prefix: 'prod', recoverable: true, createdAt: 1_700_000_000_000 },
      { id: nextId('keyspace'), workspaceId: a, name: 'test', prefix: 'test', recoverable: false, createdAt: 1_700_000_000_001 },
      { id: nextId('keyspace'), workspaceId: a, name: 'same prefix', prefix: 'prod', recoverable: false, createdAt: 3 },
    ];
    const other = { id: nextId('keyspace'), workspaceId: b, name: 'other', prefix: 'prod', recoverable: false, createdAt: 4 };
    for (const ks of [...made].reverse().concat(other)) await store.insertKeyspace(ks);
    for (const ks of [...made, other]) expect(await store.getKeyspace(ks.id)).toEqual(ks);
    expect(await store.getKeyspace('ks_missing00000000000000000')).toBeUndefined();
    expect(await store.listKeyspaces(a)).toEqual(made);
    expect(await store.listKeyspaces(b)).toEqual([other]);
    expect(await store.listKeyspaces('ws_none000000000000000000000')).toEqual([]);
  });

  it('refuses a second workspace or keyspace with the same id, and a keyspace of no workspace', async () => {
    const { store } = database();
    const ws = nextId('workspace');
    await store.insertWorkspace({ id: ws, name: 'w', createdAt: 1 });
    await expect(store.insertWorkspace({ id: ws, name: 'again', createdAt: 2 })).rejects.toThrow();
    const ks = { id: nextId('keyspace'), workspaceId: ws, name: 'k', prefix: 'kk', recoverable: false, createdAt: 1 };
    await store.insertKeyspace(ks);
    await expect(store.insertKeyspace({ ...ks, name: 'again' })).rejects.toThrow();
    await expect(store.insertKeyspace({ ...ks, id: nextId('keyspace'), workspaceId: 'ws_none000000000000000000000' })).rejects.toThrow();
    expect(await store.listKeyspaces(ws)).toEqual([ks]);
  });

  it("keeps a keyspace's gateway routes: none until set, then exactly what was set, replaced whole", async () => {
    const { store } = database();
    const ws = nextId('workspace');
    await store.insertWorkspace({ id: ws, name: 'w', createdAt: 1 });
    const ks = { id: nextId('keyspace'), workspaceId: ws, name: 'k', prefix: 'gw', recoverable: false, createdAt: 1 };
    await store.insertKeyspace(ks);
    expect(await store.getGatewayRoutes(ks.id)).toBeUndefined();
    const routes = {
      keyHeader: 'x-api-key',
      rules: [{ methods: ['GET', 'HEAD'], path: '/orders/**', scopes: 'orders:read and (eu or us)' }, { path: '/status' }],
      updatedAt: 1_700_000_000_123,
    };
    expect(await store.setGatewayRoutes(ks.id, routes)).toBe(true);
    expect(await store.getGatewayRoutes(ks.id)).toEqual(routes);
    const replaced = { keyHeader: 'authorization', rules: [], updatedAt: 1_700_000_000_999 };
    expect(await store.transaction((tx) => tx.setGatewayRoutes(ks.id, replaced))).toBe(true);
    expect(await store.getGatewayRoutes(ks.id)).toEqual(replaced);
    expect(await store.getKeyspace(ks.id)).toEqual(ks);
    expect(await store.setGatewayRoutes('ks_missing00000000000000000', routes)).toBe(false);
    expect(await store.getGatewayRoutes('ks_missing00000000000000000')).toBeUndefined();
  });
});
