import { DEFAULT_WORKSPACE_ID, newId } from '@tessera/core';
import { AccessTokenVerifier } from '@tessera/sdk';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { startOAuthServer, type OAuthTestServer } from './support.js';

/**
 * Two workspaces on one server. The second is made in the store here (test/api/workspace-isolation.test.ts
 * makes them through the API), with a root key of its own holding every permission there.
 */
describe.each(DIALECTS)('workspaces stay apart in OAuth and in the audit export (%s)', (dialect) => {
  let s: OAuthTestServer;
  let other: string;
  const WS2 = newId('workspace');
  beforeAll(async () => {
    s = await startOAuthServer(dialect);
    await s.services.store.insertWorkspace({ id: WS2, name: 'other', createdAt: Date.now() });
    const [first] = await s.services.store.listRootKeys(DEFAULT_WORKSPACE_ID);
    const creator = { ...first!, workspaceId: WS2 };
    other = (
      await s.services.rootKeys.create({ id: 'system', workspaceId: WS2, ip: null }, creator, { name: 'other admin', permissions: ['*'] })
    ).key;
  });
  afterAll(() => s.close());
  beforeEach(() => s.clock.set(Math.max(s.clock.now(), Date.now())));

  type Line = { seq: number; prevHash: string; hash: string; workspaceId?: string | null; target?: string | null; redacted?: true };
  const exportAs = async (bearer: string) => {
    const res = await fetch(`${s.url}/v1/audit/export`, { headers: { authorization: `Bearer ${bearer}` } });
    expect(res.status).toBe(200);
    return (await res.text())
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Line);
  };

  it('the audit export shows only the caller’s workspace; another’s entries are bare links of the chain', async () => {
    const mine = await s.api('POST', '/v1/keyspaces', { name: 'mine', prefix: 'sk_mine' });
    const theirs = await s.api('POST', '/v1/keyspaces', { name: 'theirs', prefix: 'sk_theirs' }, other);
    expect(theirs.status).toBe(201);
    for (const [bearer, own, foreign] of [
      [s.rootKey, mine.body.id, theirs.body.id],
      [other, theirs.body.id, mine.body.id],
    ] as const) {
      const lines = await exportAs(bearer);
      const ws = bearer === other ? WS2 : DEFAULT_WORKSPACE_ID;
      expect(lines.some((e) => e.target === own)).toBe(true);
      expect(JSON.stringify(lines)).not.toContain(foreign);
      for (const e of lines) {
        if (e.redacted) expect(Object.keys(e).sort()).toEqual(['hash', 'prevHash', 'redacted', 'seq']);
        else expect([ws, null]).toContain(e.workspaceId);
      }
      expect(lines.filter((e) => e.redacted).length).toBeGreaterThan(0);
      // Still one chain: every line links to the one before.
      lines.forEach((e, i) => i > 0 && expect(e.prevHash).toBe(lines[i - 1]!.hash));
    }
  });

  it('an audience belongs to one workspace: another workspace cannot name it (409 CONFLICT)', async () => {
    const mine = await s.client({ scopes: ['orders:read'], audience: ['https://orders.example'] });
    // Within one workspace, several clients may call the same API.
    await s.client({ scopes: ['orders:read'], audience: ['https://orders.example', 'https://shared.example'] });
    const taken = await s.api('POST', '/v1/oauth/clients', { name: 'intruder', audience: ['https://orders.example'] }, other);
    expect(taken.status).toBe(409);
    expect(taken.body).toMatchObject({ code: 'CONFLICT' });
    expect(taken.body.detail).toMatch(/another workspace/);
    const theirs = await s.api('POST', '/v1/oauth/clients', { name: 'theirs', audience: ['https://theirs.example'] }, other);
    expect(theirs.status).toBe(201);
    const patched = await s.api('PATCH', `/v1/oauth/clients/${theirs.body.clientId}`, { audience: ['https://shared.example'] }, other);
    expect(patched.status).toBe(409);
    // And the other way round.
    const back = await s.api('PATCH', `/v1/oauth/clients/${mine.clientId}`, { audience: ['https://theirs.example'] });
    expect(back.status).toBe(409);
    // An audience no client of a workspace names any more is free for another.
    await s.api('DELETE', `/v1/oauth/clients/${theirs.body.clientId}`, undefined, other);
    expect((await s.api('PATCH', `/v1/oauth/clients/${mine.clientId}`, { audience: ['https://theirs.example'] })).status).toBe(200);
  });

  it('access tokens carry their workspace, and a verifier pinned to one refuses another’s tokens', async () => {
    const token = async (bearer: string) => {
      const c = await s.api('POST', '/v1/oauth/clients', { name: 'ws client', scopes: ['orders:read'] }, bearer);
      expect(c.status).toBe(201);
      const r = await s.form(
        '/oauth/token',
        { grant_type: 'client_credentials' },
        { authorization: s.basic(c.body.clientId, c.body.clientSecret) },
      );
      expect(r.status).toBe(200);
      return r.body.access_token as string;
    };
    const mine = await token(s.rootKey);
    const theirs = await token(other);
    expect(decodeJwt(mine).workspace_id).toBe(DEFAULT_WORKSPACE_ID);
    expect(decodeJwt(theirs).workspace_id).toBe(WS2);
    // Both name the issuer as audience (no audience registered): only the workspace tells them apart.
    const verifier = new AccessTokenVerifier({
      issuer: s.url,
      algorithms: ['EdDSA'],
      workspace: DEFAULT_WORKSPACE_ID,
      now: () => s.clock.now(),
    });
    expect((await verifier.verify({ token: mine, scheme: 'Bearer' }, { audience: s.url })).valid).toBe(true);
    expect(await verifier.verify({ token: theirs, scheme: 'Bearer' }, { audience: s.url })).toMatchObject({
      valid: false,
      code: 'invalid_token',
    });
    // Introspection tells the workspace too, for opaque tokens and JWTs alike.
    const c = await s.client({ scopes: ['orders:read'], accessTokenFormat: 'opaque' });
    const basic = s.basic(c.clientId, c.clientSecret!);
    const opaque = (await s.form('/oauth/token', { grant_type: 'client_credentials' }, { authorization: basic })).body.access_token;
    expect((await s.form('/oauth/introspect', { token: opaque }, { authorization: basic })).body.workspace_id).toBe(DEFAULT_WORKSPACE_ID);
    expect((await s.form('/oauth/introspect', { token: mine }, { authorization: basic })).body.workspace_id).toBe(DEFAULT_WORKSPACE_ID);
  });
});
