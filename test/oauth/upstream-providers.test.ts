import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Tessera } from '@tessera/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { startOAuthServer, type OAuthTestServer } from './support.js';
import { startUpstream, type Upstream } from './upstream-provider.js';

/**
 * Managing a workspace's upstream OpenID Providers: registered only once their discovery document
 * reads right, the client secret never shown or logged, every change audited; and the sign-in
 * page offering each one.
 */
describe.each(DIALECTS)('upstream providers (%s)', (dialect) => {
  let s: OAuthTestServer;
  let up: Upstream;
  /** A server whose discovery document names another issuer. */
  let impostor: Server;
  let impostorUrl: string;

  beforeAll(async () => {
    s = await startOAuthServer(dialect);
    up = await startUpstream(s.url + '/oauth/federation/callback');
    impostor = createServer((_q, r) => r.setHeader('content-type', 'application/json').end(JSON.stringify({ issuer: up.issuer })));
    await new Promise<void>((done) => impostor.listen(0, '127.0.0.1', done));
    impostorUrl = `http://127.0.0.1:${(impostor.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((done) => impostor?.close(done));
    await up?.close();
    await s?.close();
  });

  const body = (o: Record<string, unknown> = {}) => ({
    name: 'Acme SSO',
    issuer: up.issuer,
    clientId: up.clientId,
    clientSecret: up.clientSecret,
    ...o,
  });

  it('registers a provider after discovering it, and never shows or logs its secret', async () => {
    const made = await s.api('POST', '/v1/oauth/upstream-providers', body({ scopes: ['email'], claimMapping: { name: 'nickname' } }));
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({
      providerId: expect.stringMatching(/^idp_[0-9A-Za-z]{22}$/),
      name: 'Acme SSO',
      issuer: up.issuer,
      clientId: up.clientId,
      scopes: ['openid', 'email'],
      claimMapping: { name: 'nickname' },
      redirectUri: s.url + '/oauth/federation/callback',
    });
    const id = made.body.providerId;
    const got = await s.api('GET', `/v1/oauth/upstream-providers/${id}`);
    expect(got.body).toEqual(made.body);
    expect((await s.api('GET', '/v1/oauth/upstream-providers')).body.items).toEqual([made.body]);
    const audit = await s.api('GET', '/v1/audit?action=oauth_upstream_provider.created');
    expect(audit.body.items[0]).toMatchObject({ target: id, details: { name: 'Acme SSO', issuer: up.issuer, clientId: up.clientId } });
    for (const text of [JSON.stringify(made.body), JSON.stringify(got.body), JSON.stringify(audit.body), s.logs.join('\n')])
      expect(text).not.toContain(up.clientSecret);
    // Kept encrypted, not in the clear.
    expect(JSON.stringify(await s.services.oauth.store.getUpstreamProvider(id))).not.toContain(up.clientSecret);
  });

  it('refuses a second provider of the same name in the workspace', async () => {
    const again = await s.api('POST', '/v1/oauth/upstream-providers', body());
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('CONFLICT');
  });

  it('refuses an issuer that cannot be discovered, or whose document names another issuer, or plain HTTP off loopback', async () => {
    for (const [issuer, detail] of [
      [`${up.issuer}/nothing-here`, 'answered 404'],
      [impostorUrl, 'names another issuer'],
      ['http://sso.example', 'must be an https URL'],
      ['not a url', 'is not a URL'],
    ] as const) {
      const r = await s.api('POST', '/v1/oauth/upstream-providers', body({ name: `P ${detail}`, issuer }));
      expect(r.status, issuer).toBe(400);
      expect(r.body.code).toBe('VALIDATION_FAILED');
      expect(r.body.detail).toContain(detail);
    }
    expect((await s.api('GET', '/v1/oauth/upstream-providers')).body.items).toHaveLength(1);
  });

  it('offers each provider on the sign-in page, and none of another workspace', async () => {
    const redirectUri = 'http://127.0.0.1:9/cb';
    const { clientId } = await s.client({
      name: 'Notes',
      grantTypes: ['authorization_code'],
      redirectUris: [redirectUri],
      tokenEndpointAuthMethod: 'none',
    });
    const q = new URLSearchParams({
      client_id: clientId,
      response_type: 'code',
      redirect_uri: redirectUri,
      scope: 'openid',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    });
    const page = await fetch(`${s.url}/oauth/authorize?${q}`);
    const html = await page.text();
    expect(html).toContain('>Sign in with Acme SSO</a>');
    // A provider id of no workspace of this client's is refused at the start.
    const start = await fetch(
      `${s.url}/oauth/federation/start?${new URLSearchParams({ provider: 'idp_0000000000000000000000', request: q.toString() })}`,
      {
        redirect: 'manual',
      },
    );
    expect(start.status).toBe(400);
    expect(await start.text()).toContain('This sign-in option is not offered here.');
  });

  it('is managed with the SDK too, which never sees the secret', async () => {
    const tessera = new Tessera({ baseUrl: s.url, rootKey: s.rootKey });
    const made = await tessera.oauth.createUpstreamProvider(body({ name: 'From the SDK' }));
    expect(made.error).toBeUndefined();
    const id = made.result!.providerId;
    expect((await tessera.oauth.getUpstreamProvider(id)).result?.name).toBe('From the SDK');
    expect((await tessera.oauth.listUpstreamProviders()).result?.items.map((p) => p.providerId)).toContain(id);
    expect(JSON.stringify(made.result)).not.toContain(up.clientSecret);
    expect((await tessera.oauth.deleteUpstreamProvider(id)).error).toBeUndefined();
    expect((await tessera.oauth.getUpstreamProvider(id)).error?.status).toBe(404);
  });

  it('removes a provider: audited, gone from the list and the sign-in page', async () => {
    const [p] = (await s.api('GET', '/v1/oauth/upstream-providers')).body.items;
    expect((await s.api('DELETE', `/v1/oauth/upstream-providers/${p.providerId}`)).status).toBe(204);
    expect((await s.api('GET', `/v1/oauth/upstream-providers/${p.providerId}`)).status).toBe(404);
    expect((await s.api('DELETE', `/v1/oauth/upstream-providers/${p.providerId}`)).status).toBe(404);
    const audit = await s.api('GET', '/v1/audit?action=oauth_upstream_provider.deleted');
    expect(audit.body.items[0]).toMatchObject({ target: p.providerId, details: { name: 'Acme SSO', issuer: up.issuer } });
  });
});
