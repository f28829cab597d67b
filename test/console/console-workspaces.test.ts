import { DEFAULT_WORKSPACE_ID } from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeFor, CookieClient, enrolledUser, startConsoleServer, type ConsoleServer } from './support/console-server.js';

const PASSWORD = 'a long console password';

/**
 * Console users scoped to workspaces, through the API with real sessions: an owner makes a
 * workspace and gives a user reach to it; every console call (the console's own and the
 * management API's) acts in the workspace `Tessera-Workspace` names, and only in one the user
 * reaches; a user without reach gets the root key's refusal and none of the other workspace's data.
 */
describe('console users across workspaces', () => {
  let server: ConsoleServer;
  let owner: CookieClient;
  let other: string;
  let otherKeyspace: string;
  let otherKey: { id: string };
  let homeKey: { id: string };

  /** The same session, naming a workspace with every request. */
  const inWorkspace = (c: CookieClient, workspaceId: string) =>
    Object.assign(new CookieClient(server.url, { 'tessera-workspace': workspaceId }), { cookie: c.cookie, csrf: c.csrf });

  /** A user the owner made through the console API, signed in with its second factor enrolled. */
  async function signIn(email: string): Promise<CookieClient> {
    const c = new CookieClient(server.url);
    expect((await c.call('POST', '/console/api/login', { email, password: PASSWORD })).status).toBe(200);
    const enrol = await c.call('POST', '/console/api/enrolment');
    expect((await c.call('POST', '/console/api/enrolment/confirm', { code: codeFor(enrol.body.secret, server.clock) })).status).toBe(200);
    return c;
  }

  beforeAll(async () => {
    server = await startConsoleServer();
    ({ c: owner } = await enrolledUser(server, 'owner@example.test', PASSWORD));
    const made = await owner.call('POST', '/v1/workspaces', { name: 'Payments' });
    expect(made.status).toBe(201);
    other = made.body.workspace.id;
    const o = inWorkspace(owner, other);
    const ks = await o.call('POST', '/v1/keyspaces', { name: 'Payments live', prefix: 'sk_pay' });
    expect(ks.status).toBe(201);
    otherKeyspace = ks.body.id;
    const k = await o.call('POST', '/v1/keys', { keyspaceId: otherKeyspace, name: 'payments-only key' });
    expect(k.status).toBe(201);
    otherKey = { id: k.body.keyId };
    const homeKs = await owner.call('POST', '/v1/keyspaces', { name: 'Home', prefix: 'sk_home' });
    const hk = await owner.call('POST', '/v1/keys', { keyspaceId: homeKs.body.id, name: 'home-only key' });
    homeKey = { id: hk.body.keyId };
  });
  afterAll(() => server?.close());

  it('the owner who made a workspace reaches it, in the session answer and the workspace list', async () => {
    const session = await owner.call('GET', '/console/api/session');
    expect(session.body.workspaceId).toBe(DEFAULT_WORKSPACE_ID);
    expect(session.body.workspaceIds).toEqual([DEFAULT_WORKSPACE_ID, other]);
    const there = await inWorkspace(owner, other).call('GET', '/console/api/session');
    expect(there.body.workspaceId).toBe(other);
    const list = await owner.call('GET', '/v1/workspaces');
    expect(list.body.items.map((w: { id: string }) => w.id)).toEqual([DEFAULT_WORKSPACE_ID, other].sort());
    // Renamed from the console session, audited in that workspace under the owner's name.
    expect((await owner.call('PATCH', `/v1/workspaces/${other}`, { name: 'Payments EU' })).body.name).toBe('Payments EU');
    const audit = await inWorkspace(owner, other).call('GET', '/v1/audit?action=workspace.renamed');
    expect(audit.body.items[0]).toMatchObject({ action: 'workspace.renamed', target: other, actor: expect.stringMatching(/^user:usr_/) });
  });

  it('a user given both workspaces sees each one’s keys apart; the header picks the workspace', async () => {
    const made = await owner.call('POST', '/console/api/users', {
      email: 'both@example.test',
      password: PASSWORD,
      role: 'viewer',
      otherWorkspaceIds: [other],
    });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ workspaceId: DEFAULT_WORKSPACE_ID, otherWorkspaceIds: [other] });
    const both = await signIn('both@example.test');
    const home = await both.call('GET', '/v1/keyspaces');
    expect(home.body.items.map((k: { id: string }) => k.id)).not.toContain(otherKeyspace);
    const there = await inWorkspace(both, other).call('GET', '/v1/keyspaces');
    expect(there.status).toBe(200);
    expect(there.body.items.map((k: { id: string }) => k.id)).toEqual([otherKeyspace]);
    const keys = await inWorkspace(both, other).call('GET', `/v1/keys?keyspaceId=${otherKeyspace}`);
    expect(keys.body.items.map((k: { keyId: string }) => k.keyId)).toEqual([otherKey.id]);
    // The key of the other workspace is not found from home, and the home key not from there.
    expect((await both.call('GET', `/v1/keys/${otherKey.id}`)).status).toBe(404);
    expect((await inWorkspace(both, other).call('GET', `/v1/keys/${homeKey.id}`)).status).toBe(404);
    // The console's own API acts there too: the overview counts that workspace's keys.
    expect((await inWorkspace(both, other).call('GET', '/console/api/overview')).body.activeKeys).toBe(1);
    // The role holds in every workspace: a viewer still cannot change anything there.
    expect((await inWorkspace(both, other).call('POST', '/v1/keyspaces', { name: 'x', prefix: 'sk_x' })).status).toBe(403);
    // The owner, acting in the other workspace, sees the user (and itself) among those who reach it.
    const listed = await inWorkspace(owner, other).call('GET', '/console/api/users');
    expect(listed.body.items).toEqual([]);
    expect(listed.body.reaching.map((u: { email: string }) => u.email).sort()).toEqual(['both@example.test', 'owner@example.test']);
  });

  it('a user with one workspace gets the root key’s refusal for another, and none of its data', async () => {
    await owner.call('POST', '/console/api/users', { email: 'one@example.test', password: PASSWORD, role: 'admin' });
    const one = await signIn('one@example.test');
    const session = await one.call('GET', '/console/api/session');
    expect(session.body.workspaceIds).toEqual([DEFAULT_WORKSPACE_ID]);
    // The bootstrap root key does not reach the workspace the owner made: its refusal is the model.
    const byKey = await server.api('GET', '/v1/keyspaces', undefined, undefined, { 'tessera-workspace': other });
    expect(byKey.status).toBe(403);
    const o = inWorkspace(one, other);
    for (const [method, path, body] of [
      ['GET', '/v1/keyspaces'],
      ['GET', `/v1/keys?keyspaceId=${otherKeyspace}`],
      ['GET', `/v1/keys/${otherKey.id}`],
      ['GET', '/v1/audit'],
      ['GET', `/v1/workspaces/${other}`],
      ['POST', '/v1/keyspaces', { name: 'sneaky', prefix: 'sk_snk' }],
      ['GET', '/console/api/session'],
      ['GET', '/console/api/overview'],
      ['GET', `/console/api/keys/${otherKey.id}/usage`],
    ] as const) {
      const r = await o.call(method, path, body);
      expect(r.status, `${method} ${path}`).toBe(403);
      expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect({ ...r.body, detail: undefined, instance: undefined, requestId: undefined }).toEqual({
        ...byKey.body,
        detail: undefined,
        instance: undefined,
        requestId: undefined,
      });
      expect(r.body.detail).toMatch(/does not reach the workspace named in Tessera-Workspace/);
      expect(JSON.stringify(r.body)).not.toMatch(/Payments|sk_pay|payments-only/);
    }
    // A workspace that does not exist answers the same.
    expect((await inWorkspace(one, 'ws_00000000000000000000000000').call('GET', '/v1/keyspaces')).status).toBe(403);
    // Without the header, the other workspace's records are simply not there.
    expect((await one.call('GET', `/v1/keys/${otherKey.id}`)).status).toBe(404);
    expect((await one.call('GET', `/v1/workspaces/${other}`)).status).toBe(404);
    const ws = await one.call('GET', '/v1/workspaces');
    expect(ws.body.items.map((w: { id: string }) => w.id)).toEqual([DEFAULT_WORKSPACE_ID]);
    expect(JSON.stringify((await one.call('GET', '/v1/keyspaces')).body)).not.toContain(otherKeyspace);
  });

  it('an owner grants only workspaces it reaches, keeps those it does not, and a removed reach ends at once', async () => {
    // A workspace the bootstrap root key makes: the owner does not reach it.
    const third = (await server.api('POST', '/v1/workspaces', { name: 'Elsewhere' })).body.workspace.id as string;
    const users = (await owner.call('GET', '/console/api/users')).body.items as { id: string; email: string }[];
    const both = users.find((u) => u.email === 'both@example.test')!;
    const refused = await owner.call('PATCH', `/console/api/users/${both.id}`, { otherWorkspaceIds: [other, third] });
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toContain(third);
    const ghost = await owner.call('POST', '/console/api/users', {
      email: 'ghost@example.test',
      password: PASSWORD,
      role: 'viewer',
      otherWorkspaceIds: ['ws_00000000000000000000000000'],
    });
    expect(ghost.status).toBe(403);
    // The operator (a system actor) gave the user the third workspace; the owner cannot take it away.
    await server.services.console.users.update(
      { id: 'system', workspaceId: DEFAULT_WORKSPACE_ID, ip: null },
      both.id,
      { otherWorkspaceIds: [other, third] },
      'any',
    );
    const c = await (async () => {
      const s = new CookieClient(server.url);
      await s.call('POST', '/console/api/login', { email: 'both@example.test', password: PASSWORD });
      return s;
    })();
    expect(c.cookie).toBeDefined();
    const changed = await owner.call('PATCH', `/console/api/users/${both.id}`, { otherWorkspaceIds: [] });
    expect(changed.status).toBe(200);
    expect(changed.body.otherWorkspaceIds).toEqual([third]);
    const audit = await owner.call('GET', '/v1/audit?action=user.updated');
    expect(audit.body.items[0].details).toMatchObject({ changed: ['otherWorkspaceIds'], otherWorkspaceIds: [third] });
    // Acting in the other workspace, the owner cannot change a user homed elsewhere.
    expect((await inWorkspace(owner, other).call('PATCH', `/console/api/users/${both.id}`, { role: 'admin' })).status).toBe(404);
  });

  it('a user whose reach was taken away is refused at its next call, in the same session', async () => {
    await owner.call('POST', '/console/api/users', {
      email: 'brief@example.test',
      password: PASSWORD,
      role: 'viewer',
      otherWorkspaceIds: [other],
    });
    const brief = await signIn('brief@example.test');
    expect((await inWorkspace(brief, other).call('GET', '/v1/keyspaces')).status).toBe(200);
    const id = (await owner.call('GET', '/console/api/users')).body.items.find(
      (u: { email: string }) => u.email === 'brief@example.test',
    ).id;
    expect((await owner.call('PATCH', `/console/api/users/${id}`, { otherWorkspaceIds: [] })).status).toBe(200);
    expect((await inWorkspace(brief, other).call('GET', '/v1/keyspaces')).status).toBe(403);
    expect((await brief.call('GET', '/v1/keyspaces')).status).toBe(200);
  });
});
