import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../../support/databases.js';
import { nextId, rootKeyRecord, useDatabase } from './records.js';

/** The port of workspaces, and the workspaces a root key reaches, on SQLite and PostgreSQL. */
describe.each(DIALECTS)('workspace repos (%s)', (dialect) => {
  const database = useDatabase(dialect);

  it('reads a workspace back, renames it, and lists only the named ones, by id, a page at a time', async () => {
    const { store } = database();
    const made = [1, 2, 3].map((n) => ({ id: nextId('workspace'), name: `team ${n} ✓`, createdAt: 1_700_000_000_000 + n }));
    for (const ws of [...made].reverse()) await store.insertWorkspace(ws);
    expect(await store.workspaces.getWorkspace(made[0]!.id)).toEqual(made[0]);
    expect(await store.workspaces.getWorkspace('ws_none000000000000000000000')).toBeUndefined();
    const ids = made.map((w) => w.id);
    expect(await store.workspaces.listWorkspaces({ ids: [ids[2]!, ids[0]!, 'ws_none000000000000000000000'], limit: 10 })).toEqual([
      made[0],
      made[2],
    ]);
    expect(await store.workspaces.listWorkspaces({ ids, limit: 2 })).toEqual(made.slice(0, 2));
    expect(await store.workspaces.listWorkspaces({ ids, after: ids[1], limit: 2 })).toEqual([made[2]]);
    expect(await store.workspaces.listWorkspaces({ ids: [], limit: 2 })).toEqual([]);
    expect(await store.workspaces.renameWorkspace(ids[1]!, 'renamed')).toBe(true);
    expect(await store.workspaces.getWorkspace(ids[1]!)).toEqual({ ...made[1], name: 'renamed' });
    expect(await store.workspaces.renameWorkspace('ws_none000000000000000000000', 'x')).toBe(false);
  });

  it('keeps the other workspaces a root key reaches: none by default, then what was written, in a transaction too', async () => {
    const { store } = database();
    const home = { id: nextId('workspace'), name: 'home', createdAt: 1 };
    await store.insertWorkspace(home);
    const rk = rootKeyRecord(home.id);
    await store.insertRootKey(rk);
    expect((await store.getRootKey(rk.id))!.otherWorkspaceIds).toEqual([]);
    const others = [nextId('workspace'), nextId('workspace')];
    await store.transaction((tx) => tx.updateRootKey(rk.id, { otherWorkspaceIds: others }));
    expect(await store.getRootKey(rk.id)).toEqual({ ...rk, otherWorkspaceIds: others });
    const renamed = store.transaction(async (tx) => {
      await tx.workspaces.renameWorkspace(rk.workspaceId, 'rolled back');
      throw new Error('roll back');
    });
    await expect(renamed).rejects.toThrow('roll back');
    expect(await store.workspaces.getWorkspace(home.id)).toEqual(home);
  });
});
