import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { startOAuthServer, type OAuthTestServer } from '../oauth/support.js';

/**
 * Two workspaces made through the API, each with a root key holding every permission there:
 * neither key sees or changes the other's keyspaces, keys, secrets, OAuth clients or audit
 * entries, and tokens one workspace's client was issued do not introspect in the other.
 */
describe.each(DIALECTS)('workspaces are isolated (%s)', (dialect) => {
  let s: OAuthTestServer;
  type Side = {
    ws: string;
    key: string;
    keyspace: string;
    apiKey: string;
    client: { clientId: string; clientSecret: string };
    token: string;
  };
  const sides: Side[] = [];

  const setUp = async (name: string, prefix: string): Promise<Side> => {
    const made = await s.api('POST', '/v1/workspaces', { name, rootKey: { name: `${name} admin`, permissions: ['*'] } });
    expect(made.status).toBe(201);
    const key = made.body.rootKey.key as string;
    const keyspace = (await s.api('POST', '/v1/keyspaces', { name, prefix }, key)).body.id as string;
    const apiKey = (await s.api('POST', '/v1/keys', { keyspaceId: keyspace, ownerId: 'owner' }, key)).body.keyId as string;
    expect((await s.api('PUT', '/v1/secrets/shared/name', { value: `${name} secret` }, key)).status).toBe(200);
    const c = await s.api(
      'POST',
      '/v1/oauth/clients',
      { name: `${name} client`, scopes: ['orders:read'], accessTokenFormat: 'opaque' },
      key,
    );
    expect(c.status).toBe(201);
    const client = { clientId: c.body.clientId as string, clientSecret: c.body.clientSecret as string };
    const t = await s.form(
      '/oauth/token',
      { grant_type: 'client_credentials' },
      { authorization: s.basic(client.clientId, client.clientSecret) },
    );
    expect(t.status).toBe(200);
    return { ws: made.body.workspace.id, key, keyspace, apiKey, client, token: t.body.access_token };
  };

  beforeAll(async () => {
    s = await startOAuthServer(dialect);
    sides.push(await setUp('alpha', 'sk_alpha'), await setUp('beta', 'sk_beta'));
  });
  afterAll(() => s.close());

  const pairs = () =>
    [
      [sides[0]!, sides[1]!],
      [sides[1]!, sides[0]!],
    ] as const;

  it('a key sees its own records and none of the other workspace’s', async () => {
    for (const [me, them] of pairs()) {
      const keyspaces = (await s.api('GET', '/v1/keyspaces', undefined, me.key)).body.items.map((k: { id: string }) => k.id);
      expect(keyspaces).toEqual([me.keyspace]);
      expect((await s.api('GET', `/v1/keyspaces/${them.keyspace}`, undefined, me.key)).status).toBe(404);
      expect((await s.api('GET', `/v1/keys/${me.apiKey}`, undefined, me.key)).status).toBe(200);
      expect((await s.api('GET', `/v1/keys/${them.apiKey}`, undefined, me.key)).status).toBe(404);
      const keys = await s.api('GET', `/v1/keys?keyspaceId=${them.keyspace}`, undefined, me.key);
      expect(keys.status === 404 || keys.body.items.length === 0).toBe(true);
      const mine = await s.api('GET', '/v1/keys', undefined, me.key);
      expect(mine.body.items.map((k: { keyId: string }) => k.keyId)).toEqual([me.apiKey]);
      const secret = await s.api('GET', '/v1/secrets/shared/name', undefined, me.key);
      expect(secret.body.value).toBe(me === sides[0] ? 'alpha secret' : 'beta secret');
      expect((await s.api('GET', '/v1/secrets', undefined, me.key)).body.items).toHaveLength(1);
      const clients = (await s.api('GET', '/v1/oauth/clients', undefined, me.key)).body.items.map((c: { clientId: string }) => c.clientId);
      expect(clients).toEqual([me.client.clientId]);
      expect((await s.api('GET', `/v1/oauth/clients/${them.client.clientId}`, undefined, me.key)).status).toBe(404);
      const workspaces = (await s.api('GET', '/v1/workspaces', undefined, me.key)).body.items.map((w: { id: string }) => w.id);
      expect(workspaces).toEqual([me.ws]);
    }
  });

  it('a key changes nothing of the other workspace’s', async () => {
    for (const [me, them] of pairs()) {
      expect((await s.api('POST', '/v1/keys', { keyspaceId: them.keyspace }, me.key)).status).toBe(404);
      expect((await s.api('PATCH', `/v1/keys/${them.apiKey}`, { name: 'taken' }, me.key)).status).toBe(404);
      expect((await s.api('POST', `/v1/keys/${them.apiKey}/revoke`, {}, me.key)).status).toBe(404);
      expect((await s.api('DELETE', `/v1/keys/${them.apiKey}`, undefined, me.key)).status).toBe(404);
      expect((await s.api('PATCH', `/v1/oauth/clients/${them.client.clientId}`, { name: 'taken' }, me.key)).status).toBe(404);
      expect((await s.api('DELETE', `/v1/oauth/clients/${them.client.clientId}`, undefined, me.key)).status).toBe(404);
      expect((await s.api('PATCH', `/v1/workspaces/${them.ws}`, { name: 'taken' }, me.key)).status).toBe(404);
      // Naming the other workspace in the header is refused before any route runs.
      const named = await s.api('GET', '/v1/keyspaces', undefined, me.key, { 'tessera-workspace': them.ws });
      expect(named.status).toBe(403);
    }
    // Still as they were.
    for (const side of sides) {
      const key = await s.api('GET', `/v1/keys/${side.apiKey}`, undefined, side.key);
      expect(key.body).toMatchObject({ revokedAt: null });
      expect(key.body.name ?? null).not.toBe('taken');
      const client = await s.api('GET', `/v1/oauth/clients/${side.client.clientId}`, undefined, side.key);
      expect(client.status).toBe(200);
      expect(client.body.name).not.toBe('taken');
      expect((await s.api('GET', `/v1/workspaces/${side.ws}`, undefined, side.key)).body.name).not.toBe('taken');
    }
  });

  it('the audit log and its export show a key its own workspace’s entries only', async () => {
    for (const [me, them] of pairs()) {
      const entries = (await s.api('GET', '/v1/audit?limit=1000', undefined, me.key)).body.items as { workspaceId: string | null }[];
      expect(entries.length).toBeGreaterThan(3);
      for (const e of entries) expect([me.ws, null]).toContain(e.workspaceId);
      const text = JSON.stringify(entries);
      for (const foreign of [them.ws, them.keyspace, them.apiKey, them.client.clientId]) expect(text).not.toContain(foreign);
      const res = await fetch(`${s.url}/v1/audit/export`, { headers: { authorization: `Bearer ${me.key}` } });
      expect(res.status).toBe(200);
      const exported = await res.text();
      expect(exported).toContain(me.keyspace);
      for (const foreign of [them.ws, them.keyspace, them.apiKey, them.client.clientId]) expect(exported).not.toContain(foreign);
    }
  });

  it('a token one workspace’s client was issued does not introspect for the other’s client', async () => {
    for (const [me, them] of pairs()) {
      const auth = { authorization: s.basic(me.client.clientId, me.client.clientSecret) };
      const own = await s.form('/oauth/introspect', { token: me.token }, auth);
      expect(own.body).toMatchObject({ active: true, workspace_id: me.ws });
      const foreign = await s.form('/oauth/introspect', { token: them.token }, auth);
      expect(foreign.status).toBe(200);
      expect(foreign.body).toEqual({ active: false });
    }
  });
});
