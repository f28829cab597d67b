import { DEFAULT_WORKSPACE_ID } from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

/** Workspaces through the API: created with a first root key, listed, read, renamed, audited. */
describe('workspaces', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer('sqlite');
  });
  afterAll(() => s.close());

  const create = (body: unknown, bearer?: string) => s.api('POST', '/v1/workspaces', body, bearer);

  describe('created', () => {
    it('answers the workspace and its first root key, shown once; the new key works there and only there', async () => {
      const made = await create({
        name: 'payments',
        rootKey: { name: 'payments admin', permissions: ['keyspaces:manage', 'keyspaces:read'] },
      });
      expect(made.status).toBe(201);
      expect(made.body.workspace).toMatchObject({ id: expect.stringMatching(/^ws_/), name: 'payments' });
      expect(made.body.rootKey.key).toMatch(/^tessera_root_/);
      const ws = made.body.workspace.id as string;
      const key = made.body.rootKey.key as string;
      const ks = await s.api('POST', '/v1/keyspaces', { name: 'payments', prefix: 'sk_pay' }, key);
      expect(ks.status).toBe(201);
      expect(ks.body.workspaceId).toBe(ws);
      // The new workspace's key reaches its workspace only.
      const own = await s.api('GET', '/v1/keyspaces', undefined, key, { 'tessera-workspace': DEFAULT_WORKSPACE_ID });
      expect(own.status).toBe(403);
      // The creator reaches the new workspace from now on, by naming it.
      const there = await s.api('GET', '/v1/keyspaces', undefined, undefined, { 'tessera-workspace': ws });
      expect(there.status).toBe(200);
      expect(there.body.items.map((k: { id: string }) => k.id)).toEqual([ks.body.id]);
      const home = await s.api('GET', '/v1/keyspaces');
      expect(home.body.items.map((k: { id: string }) => k.id)).not.toContain(ks.body.id);
    });

    it('without a root key when none is asked for', async () => {
      const made = await create({ name: 'bare' });
      expect(made.status).toBe(201);
      expect(made.body.rootKey).toBeUndefined();
    });

    it('refuses a first root key holding more than its creator, and makes no workspace then', async () => {
      const limited = await s.api('POST', '/v1/root-keys', {
        name: 'ws maker',
        permissions: ['workspaces:manage', 'workspaces:read', 'keys:read'],
      });
      const before = (await s.api('GET', '/v1/workspaces', undefined, limited.body.key)).body.items.length;
      const refused = await create({ name: 'greedy', rootKey: { name: 'x', permissions: ['*'] } }, limited.body.key);
      expect(refused.status).toBe(403);
      expect(refused.body.detail).toMatch(/does not hold/);
      expect((await s.api('GET', '/v1/workspaces', undefined, limited.body.key)).body.items.length).toBe(before);
      const ok = await create({ name: 'modest', rootKey: { name: 'x', permissions: ['keys:read'] } }, limited.body.key);
      expect(ok.status).toBe(201);
    });

    it('needs workspaces:manage, and a key not limited to keyspaces', async () => {
      const reader = await s.api('POST', '/v1/root-keys', { name: 'reader', permissions: ['workspaces:read'] });
      expect((await create({ name: 'no' }, reader.body.key)).status).toBe(403);
      const ks = await s.api('POST', '/v1/keyspaces', { name: 'limited', prefix: 'sk_lim' });
      const limited = await s.api('POST', '/v1/root-keys', { name: 'lim', permissions: ['*'], keyspaceIds: [ks.body.id] });
      expect((await create({ name: 'no' }, limited.body.key)).status).toBe(403);
    });
  });

  describe('listed and read', () => {
    it('lists only the workspaces a key reaches, a page at a time', async () => {
      const a = (await create({ name: 'page a', rootKey: { name: 'a', permissions: ['workspaces:read'] } })).body;
      const all = await s.api('GET', '/v1/workspaces?limit=1000');
      expect(all.body.items.map((w: { id: string }) => w.id)).toContain(a.workspace.id);
      const ids = all.body.items.map((w: { id: string }) => w.id) as string[];
      expect(ids).toContain(DEFAULT_WORKSPACE_ID);
      expect(ids).toEqual([...ids].sort());
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { status: number; body: { items: { id: string }[]; nextCursor: string | null } } = await s.api(
          'GET',
          `/v1/workspaces?limit=2${cursor === null ? '' : `&cursor=${cursor}`}`,
        );
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.body.items.map((w) => w.id));
        cursor = page.body.nextCursor;
      } while (cursor !== null);
      expect(seen).toEqual(all.body.items.map((w: { id: string }) => w.id));
      // The new workspace's own key sees its own workspace only.
      const theirs = await s.api('GET', '/v1/workspaces', undefined, a.rootKey.key);
      expect(theirs.body).toEqual({ items: [a.workspace], nextCursor: null });
      expect((await s.api('GET', `/v1/workspaces/${a.workspace.id}`, undefined, a.rootKey.key)).body).toEqual(a.workspace);
      const other = await s.api('GET', `/v1/workspaces/${DEFAULT_WORKSPACE_ID}`, undefined, a.rootKey.key);
      expect(other.status).toBe(404);
      expect((await s.api('GET', '/v1/workspaces/ws_none000000000000000000000')).status).toBe(404);
      expect((await s.api('GET', '/v1/workspaces?cursor=bm9wZQ')).status).toBe(400);
    });
  });

  describe('renamed', () => {
    it('renames a workspace it reaches and audits it there; another workspace is NOT_FOUND', async () => {
      const made = (
        await create({ name: 'old name', rootKey: { name: 'r', permissions: ['workspaces:manage', 'workspaces:read', 'audit:read'] } })
      ).body;
      const renamed = await s.api('PATCH', `/v1/workspaces/${made.workspace.id}`, { name: 'new name' }, made.rootKey.key);
      expect(renamed.status).toBe(200);
      expect(renamed.body).toEqual({ ...made.workspace, name: 'new name' });
      const audit = await s.api('GET', '/v1/audit?action=workspace.renamed', undefined, made.rootKey.key);
      expect(audit.body.items).toMatchObject([
        { action: 'workspace.renamed', target: made.workspace.id, details: { name: 'new name', previousName: 'old name' } },
      ]);
      const created = await s.api('GET', '/v1/audit?action=workspace.created', undefined, made.rootKey.key);
      expect(created.body.items).toMatchObject([{ target: made.workspace.id, workspaceId: made.workspace.id }]);
      // The creating key's own workspace is told its key reaches one more workspace.
      const home = await s.api('GET', `/v1/audit?action=workspace.created&target=${made.workspace.id}`);
      expect(home.body.items).toMatchObject([
        {
          target: made.workspace.id,
          workspaceId: DEFAULT_WORKSPACE_ID,
          details: { name: 'old name', reachedBy: expect.stringMatching(/^rk_/) },
        },
      ]);
      const foreign = await s.api('PATCH', `/v1/workspaces/${DEFAULT_WORKSPACE_ID}`, { name: 'taken over' }, made.rootKey.key);
      expect(foreign.status).toBe(404);
      expect((await s.api('GET', `/v1/workspaces/${DEFAULT_WORKSPACE_ID}`)).body.name).toBe('default');
    });
  });

  describe('Tessera-Workspace', () => {
    it('refuses a workspace the key does not reach, whether it exists or not, with one answer', async () => {
      const made = (await create({ name: 'apart', rootKey: { name: 'r', permissions: ['keyspaces:read'] } })).body;
      const unknown = await s.api('GET', '/v1/keyspaces', undefined, made.rootKey.key, {
        'tessera-workspace': 'ws_none000000000000000000000',
      });
      const existing = await s.api('GET', '/v1/keyspaces', undefined, made.rootKey.key, { 'tessera-workspace': DEFAULT_WORKSPACE_ID });
      expect(unknown.status).toBe(403);
      expect(existing.status).toBe(403);
      expect(existing.body.detail).toBe(unknown.body.detail);
      // Naming its own workspace is the same as naming none.
      expect((await s.api('GET', '/v1/keyspaces', undefined, made.rootKey.key, { 'tessera-workspace': made.workspace.id })).status).toBe(
        200,
      );
    });

    it('a root key made to reach several workspaces keeps that reach when rolled', async () => {
      const made = (await create({ name: 'shared' })).body;
      const shared = await s.api('POST', '/v1/root-keys', {
        name: 'both',
        permissions: ['keyspaces:read'],
        otherWorkspaceIds: [made.workspace.id],
      });
      expect(shared.status).toBe(201);
      const ws = { 'tessera-workspace': made.workspace.id };
      expect((await s.api('GET', '/v1/keyspaces', undefined, shared.body.key, ws)).status).toBe(200);
      const rolled = await s.api('POST', `/v1/root-keys/${shared.body.id}/roll`, { gracePeriodSeconds: 60 });
      expect((await s.api('GET', '/v1/keyspaces', undefined, rolled.body.key, ws)).status).toBe(200);
      const listed = (await s.api('GET', '/v1/root-keys')).body.items.find((k: { id: string }) => k.id === rolled.body.id);
      expect(listed.otherWorkspaceIds).toEqual([made.workspace.id]);
      // A key cannot hand out a workspace it does not reach.
      const narrow = await s.api('POST', '/v1/root-keys', { name: 'narrow', permissions: ['root_keys:manage', 'keyspaces:read'] });
      const escalate = await s.api(
        'POST',
        '/v1/root-keys',
        { name: 'wide', permissions: ['keyspaces:read'], otherWorkspaceIds: [made.workspace.id] },
        narrow.body.key,
      );
      expect(escalate.status).toBe(403);
      expect(escalate.body.detail).toContain(`workspace ${made.workspace.id}`);
    });
  });
});
