import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { BrowserJar } from './browser-jar.js';
import { startOAuthServer, type OAuthTestServer } from './support.js';

const PASSWORD = 'correct horse battery staple';
const CALLBACK = 'http://127.0.0.1:53682/callback';

/** Pushed authorization requests (RFC 9126) and "PAR required": openid-client as the client. */
describe.each(DIALECTS)('tokens for people: pushed authorization requests (%s)', (dialect) => {
  let s: OAuthTestServer;
  let userId: string;
  let parId: string;
  let config: oidc.Configuration;
  beforeAll(async () => {
    s = await startOAuthServer(dialect);
    const user = await s.api('POST', '/v1/users', { email: 'ada@example.com', password: PASSWORD, name: 'Ada Lovelace' });
    userId = user.body.userId;
    const c = await s.client({
      name: 'Notes (PAR)',
      grantTypes: ['authorization_code'],
      redirectUris: ['http://127.0.0.1/callback'],
      tokenEndpointAuthMethod: 'none',
      requirePar: true,
    });
    expect(c.view.requirePar).toBe(true);
    parId = c.clientId;
    config = await oidc.discovery(new URL(s.url), parId, undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
  });
  afterAll(() => s.close());
  beforeEach(() => s.clock.set(Math.max(s.clock.now(), Date.now())));

  async function request(extra: Record<string, string> = {}) {
    const verifier = oidc.randomPKCECodeVerifier();
    const checks = { verifier, state: oidc.randomState(), nonce: oidc.randomNonce() };
    const params = {
      client_id: parId,
      response_type: 'code',
      redirect_uri: CALLBACK,
      scope: 'openid email',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: checks.state,
      nonce: checks.nonce,
      ...extra,
    };
    return { checks, params };
  }
  const push = (params: Record<string, string>) => s.form('/oauth/par', params);

  it('runs the flow with openid-client through PAR: the request_uri, sign-in, consent, tokens; the request_uri yields one code', async () => {
    const m = config.serverMetadata();
    expect(m.pushed_authorization_request_endpoint).toBe(`${s.url}/oauth/par`);
    expect(m.require_pushed_authorization_requests).toBe(false);
    const { checks, params } = await request();
    const url = await oidc.buildAuthorizationUrlWithPAR(config, params);
    expect([...url.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
    expect(url.searchParams.get('request_uri')).toMatch(/^urn:ietf:params:oauth:request_uri:tessera_pr_/);

    const jar = new BrowserJar();
    // Parameters in the query besides client_id and request_uri do not count (RFC 9126 §4): not the redirect URI.
    const tampered = new URL(url);
    tampered.searchParams.set('redirect_uri', 'http://127.0.0.1:9/steal');
    const signIn = await jar.get(tampered.toString());
    expect(signIn.status).toBe(200);
    const consent = await jar.submit(signIn, s.url, { email: 'ada@example.com', password: PASSWORD });
    const back = await jar.submit(consent, s.url, { decision: 'allow' });
    expect(back.status).toBe(303);
    const answer = new URL(back.location!);
    expect(answer.origin + answer.pathname).toBe(CALLBACK);
    const tokens = await oidc.authorizationCodeGrant(config, answer, {
      pkceCodeVerifier: checks.verifier,
      expectedState: checks.state,
      expectedNonce: checks.nonce,
      idTokenExpected: true,
    });
    const id = await jwtVerify(tokens.id_token!, createRemoteJWKSet(new URL(`${s.url}/oauth/jwks`)), { issuer: s.url, audience: parId });
    expect(id.payload).toMatchObject({ sub: userId, nonce: checks.nonce });

    // Used: the same request_uri again is refused on a page, never redirected.
    const again = await jar.get(url.toString());
    expect(again.status).toBe(400);
    expect(again.location).toBeNull();
    expect(again.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('refuses a request sent straight to the authorization endpoint of a PAR-only client, and an unknown, expired or foreign request_uri', async () => {
    const { params } = await request();
    const jar = new BrowserJar();
    const direct = await jar.get(`${s.url}/oauth/authorize?${new URLSearchParams(params)}`);
    expect(direct.status).toBe(303);
    const refused = new URL(direct.location!);
    expect(refused.searchParams.get('error')).toBe('invalid_request');
    expect(refused.searchParams.get('state')).toBe(params.state);
    expect(refused.searchParams.get('iss')).toBe(s.url);

    const pushed = await push(params);
    expect(pushed.status).toBe(201);
    expect(pushed.body.expires_in).toBe(300);
    expect(pushed.headers.get('cache-control')).toBe('no-store');
    const page = (clientId: string, requestUri: string) =>
      jar.get(`${s.url}/oauth/authorize?${new URLSearchParams({ client_id: clientId, request_uri: requestUri })}`);
    expect((await page(parId, 'urn:ietf:params:oauth:request_uri:tessera_pr_' + 'A'.repeat(48))).status).toBe(400);
    expect((await page(parId, 'https://evil.example/request.jwt')).status).toBe(400);
    // Another client naming this client's request_uri (the other client registered the same redirect URI).
    const other = await s.client({
      name: 'other',
      grantTypes: ['authorization_code'],
      redirectUris: ['http://127.0.0.1/callback'],
      tokenEndpointAuthMethod: 'none',
    });
    expect((await page(other.clientId, pushed.body.request_uri)).status).toBe(400);
    expect((await page(parId, pushed.body.request_uri)).status).toBe(200);
    s.clock.advance(301_000);
    expect((await page(parId, pushed.body.request_uri)).status).toBe(400);
  });

  it('checks a pushed request as the authorization endpoint would, answering RFC 6749 errors', async () => {
    const { params } = await request();
    const cases: [Record<string, string>, number, string][] = [
      [{ request_uri: 'urn:ietf:params:oauth:request_uri:x' }, 400, 'invalid_request'],
      [{ redirect_uri: 'https://evil.example/cb' }, 400, 'invalid_request'],
      [{ code_challenge_method: 'plain' }, 400, 'invalid_request'],
      [{ code_challenge: '' }, 400, 'invalid_request'],
      [{ response_type: 'token' }, 400, 'unsupported_response_type'],
      [{ scope: 'openid admin:all' }, 400, 'invalid_scope'],
      [{ client_id: 'cli_00000000000000000000zz' }, 401, 'invalid_client'],
    ];
    for (const [change, status, error] of cases)
      expect(await push({ ...params, ...change }), JSON.stringify(change)).toMatchObject({ status, body: { error } });
    const machine = await s.client({ name: 'machine', grantTypes: ['client_credentials'] });
    expect(
      await s.form(
        '/oauth/par',
        { ...params, client_id: machine.clientId },
        { authorization: s.basic(machine.clientId, machine.clientSecret!) },
      ),
    ).toMatchObject({ status: 400, body: { error: 'unauthorized_client' } });
    const web = await s.client({ name: 'web', grantTypes: ['authorization_code'], redirectUris: ['https://app.example/cb'] });
    // A confidential client must authenticate at the PAR endpoint as at the token endpoint.
    expect(await push({ ...params, client_id: web.clientId, redirect_uri: 'https://app.example/cb' })).toMatchObject({
      status: 401,
      body: { error: 'invalid_client' },
    });
    const ok = await s.form(
      '/oauth/par',
      { ...params, client_id: web.clientId, redirect_uri: 'https://app.example/cb' },
      { authorization: s.basic(web.clientId, web.clientSecret!) },
    );
    expect(ok.status).toBe(201);
    // requirePar needs the authorization code grant; the view and PATCH know it.
    expect(await s.api('POST', '/v1/oauth/clients', { name: 'x', grantTypes: ['client_credentials'], requirePar: true })).toMatchObject({
      status: 400,
      body: { code: 'VALIDATION_FAILED' },
    });
    const patched = await s.api('PATCH', `/v1/oauth/clients/${web.clientId}`, { requirePar: true });
    expect(patched.body.requirePar).toBe(true);
  });
});
