import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { BrowserJar, type Page } from './browser-jar.js';
import { startOAuthServer, type OAuthTestServer } from './support.js';

const PASSWORD = 'correct horse battery staple';
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** The device authorization grant (RFC 8628): openid-client as the device, plain HTTP as the person's browser. */
describe.each(DIALECTS)('tokens for people: the device authorization grant (%s)', (dialect) => {
  let s: OAuthTestServer;
  let userId: string;
  let tvId: string;
  let config: oidc.Configuration;
  beforeAll(async () => {
    s = await startOAuthServer(dialect);
    const user = await s.api('POST', '/v1/users', { email: 'ada@example.com', password: PASSWORD, name: 'Ada Lovelace' });
    expect(user.status).toBe(201);
    userId = user.body.userId;
    const tv = await s.client({
      name: 'Notes for TV',
      scopes: ['notes:read'],
      grantTypes: [DEVICE_GRANT, 'refresh_token'],
      tokenEndpointAuthMethod: 'none',
    });
    expect(tv.view.grantTypes).toEqual([DEVICE_GRANT, 'refresh_token']);
    expect(tv.clientSecret).toBeUndefined();
    tvId = tv.clientId;
    config = await oidc.discovery(new URL(s.url), tvId, undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
  });
  afterAll(() => s.close());
  beforeEach(() => s.clock.set(Math.max(s.clock.now(), Date.now())));

  const poll = (deviceCode: string, clientId = tvId) =>
    s.form('/oauth/token', { grant_type: DEVICE_GRANT, device_code: deviceCode, client_id: clientId });
  const start = (params: Record<string, string> = {}) => s.form('/oauth/device_authorization', { client_id: tvId, ...params });

  /** The person's side: open the verification page, enter the code, sign in; the confirmation page. */
  async function signInOnPage(jar: BrowserJar, userCode: string): Promise<Page> {
    const codePage = await jar.get(`${s.url}/oauth/device`);
    expect(codePage.status).toBe(200);
    const signIn = await jar.submit(codePage, s.url, { user_code: userCode.toLowerCase().replace('-', ' ') });
    expect(signIn.status).toBe(200);
    expect(signIn.has('label', 'Email') && signIn.has('button', 'Sign in')).toBe(true);
    return jar.submit(signIn, s.url, { email: 'ada@example.com', password: PASSWORD });
  }

  it('runs the flow with openid-client: pending, slow_down, the verification page, Allow, tokens once', async () => {
    const m = config.serverMetadata();
    expect(m.device_authorization_endpoint).toBe(`${s.url}/oauth/device_authorization`);
    expect(m.grant_types_supported).toContain(DEVICE_GRANT);

    const da = await oidc.initiateDeviceAuthorization(config, { scope: 'openid profile offline_access notes:read' });
    expect(da.user_code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    expect(da.device_code).toMatch(/^tessera_dc_/);
    expect(da).toMatchObject({ verification_uri: `${s.url}/oauth/device`, expires_in: 600, interval: 5 });
    expect(da.verification_uri_complete).toBe(`${s.url}/oauth/device?user_code=${da.user_code}`);

    // Not decided yet: pending; again at once: slow_down, and the interval is 5 s longer from then on.
    expect(await poll(da.device_code)).toMatchObject({ status: 400, body: { error: 'authorization_pending' } });
    expect(await poll(da.device_code)).toMatchObject({ status: 400, body: { error: 'slow_down' } });
    s.clock.advance(6_000);
    expect(await poll(da.device_code)).toMatchObject({ status: 400, body: { error: 'slow_down' } });
    s.clock.advance(15_000);
    expect(await poll(da.device_code)).toMatchObject({ status: 400, body: { error: 'authorization_pending' } });

    const jar = new BrowserJar();
    // The link with the code filled in (for a QR code): a page, never framed, never cached, no script.
    const filled = await jar.get(da.verification_uri_complete!);
    expect(filled.status).toBe(200);
    expect(filled.html).toContain(`value="${da.user_code}"`);
    expect(filled.has('label', 'Code') && filled.has('button', 'Continue')).toBe(true);
    expect(filled.headers.get('content-type')).toMatch(/^text\/html/);
    expect(filled.headers.get('x-frame-options')).toBe('DENY');
    expect(filled.headers.get('cache-control')).toBe('no-store');
    expect(filled.headers.get('content-security-policy')).toMatch(/default-src 'none'.*form-action 'self'; frame-ancestors 'none'/);
    expect(filled.html).not.toMatch(/<script/);
    const confirm = await signInOnPage(jar, da.user_code);
    expect(confirm.status).toBe(200);
    expect(confirm.html).toContain(da.user_code); // the person compares it with the device's (RFC 8628 §5.4)
    expect(confirm.has('button', 'Allow') && confirm.has('button', 'Deny')).toBe(true);
    const done = await jar.submit(confirm, s.url, { decision: 'allow' });
    expect(done.status).toBe(200);
    expect(done.html).toContain('Device connected');
    // Decided once: the same form again finds no pending code.
    expect((await jar.submit(confirm, s.url, { decision: 'deny' })).status).toBe(400);

    // The device polls (the person has already decided: no need to wait the interval here).
    const tokens = await oidc.pollDeviceAuthorizationGrant(config, { ...da, interval: 0 });
    expect(tokens.refresh_token).toMatch(/^tessera_rt_/);
    const jwks = createRemoteJWKSet(new URL(`${s.url}/oauth/jwks`));
    const id = await jwtVerify(tokens.id_token!, jwks, { issuer: s.url, audience: tvId, algorithms: ['EdDSA'] });
    expect(id.payload).toMatchObject({ sub: userId, amr: ['pwd'], acr: 'urn:tessera:acr:pwd' });
    expect(id.payload.nonce).toBeUndefined();
    const access = await jwtVerify(tokens.access_token, jwks, { issuer: s.url, typ: 'at+jwt' });
    expect(access.payload).toMatchObject({ sub: userId, client_id: tvId, scope: 'openid profile offline_access notes:read' });
    expect(await oidc.fetchUserInfo(config, tokens.access_token, userId)).toMatchObject({ sub: userId, name: 'Ada Lovelace' });
    // Spent: the device code gives tokens once.
    expect(await poll(da.device_code)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);

    const audit = await s.api('GET', '/v1/audit?action=oauth_consent.granted');
    expect(audit.body.items.at(-1)).toMatchObject({ target: tvId, details: { userId, grant: 'device_code' } });
  });

  it('Deny makes the device’s poll access_denied; an unused request ends with expired_token', async () => {
    const denied = (await start({ scope: 'openid' })).body;
    const jar = new BrowserJar();
    const confirm = await signInOnPage(jar, denied.user_code);
    const done = await jar.submit(confirm, s.url, { decision: 'deny' });
    expect(done.html).toContain('Device not connected');
    expect(await poll(denied.device_code)).toMatchObject({ status: 400, body: { error: 'access_denied' } });
    const audit = await s.api('GET', '/v1/audit?action=oauth_device_authorization.denied');
    expect(audit.body.items.at(-1)).toMatchObject({ target: tvId, actor: `end_user:${userId}` });

    // Signed in already: the code leads straight to the confirmation, which is always asked.
    const second = (await start()).body;
    const page = await jar.submit(await jar.get(`${s.url}/oauth/device`), s.url, { user_code: second.user_code });
    expect(page.has('button', 'Allow')).toBe(true);
    s.clock.advance(601_000);
    expect(await poll(second.device_code)).toMatchObject({ status: 400, body: { error: 'expired_token' } });
    expect((await jar.submit(page, s.url, { decision: 'allow' })).status).toBe(400);
  });

  it('refuses at the device authorization endpoint: other grants, unknown clients, scopes, missing secrets', async () => {
    const web = await s.client({ name: 'web', grantTypes: ['authorization_code'], redirectUris: ['https://app.example/cb'] });
    expect(await s.form('/oauth/device_authorization', {}, { authorization: s.basic(web.clientId, web.clientSecret!) })).toMatchObject({
      status: 400,
      body: { error: 'unauthorized_client' },
    });
    expect(await s.form('/oauth/device_authorization', { client_id: 'cli_unknown' })).toMatchObject({
      status: 401,
      body: { error: 'invalid_client' },
    });
    const secretTv = await s.client({ name: 'tv with secret', grantTypes: [DEVICE_GRANT] });
    expect(await s.form('/oauth/device_authorization', { client_id: secretTv.clientId })).toMatchObject({
      status: 401,
      body: { error: 'invalid_client' },
    });
    const ok = await s.form('/oauth/device_authorization', {}, { authorization: s.basic(secretTv.clientId, secretTv.clientSecret!) });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('cache-control')).toBe('no-store');
    expect(await start({ scope: 'notes:write' })).toMatchObject({ status: 400, body: { error: 'invalid_scope' } });
    expect(await start({ scope: 'openid', client_id: [tvId, tvId] as never })).toMatchObject({ status: 400 });
  });

  it('refuses at the token endpoint: another client’s device code, a made-up code, no code, a client without the grant', async () => {
    const da = (await start()).body;
    const other = await s.client({ name: 'other tv', grantTypes: [DEVICE_GRANT], tokenEndpointAuthMethod: 'none' });
    expect(await poll(da.device_code, other.clientId)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(await poll('tessera_dc_' + 'A'.repeat(48))).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(await s.form('/oauth/token', { grant_type: DEVICE_GRANT, client_id: tvId })).toMatchObject({
      status: 400,
      body: { error: 'invalid_request' },
    });
    const native = await s.client({
      name: 'native',
      grantTypes: ['authorization_code'],
      redirectUris: ['http://127.0.0.1/cb'],
      tokenEndpointAuthMethod: 'none',
    });
    expect(await poll(da.device_code, native.clientId)).toMatchObject({ status: 400, body: { error: 'unauthorized_client' } });
    // A public client may use the device grant; never client_credentials.
    const bad = await s.api('POST', '/v1/oauth/clients', {
      name: 'x',
      grantTypes: [DEVICE_GRANT, 'client_credentials'],
      tokenEndpointAuthMethod: 'none',
    });
    expect(bad).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
  });

  it('refuses on the verification page: a form without its CSRF token, a wrong user; wrong codes are limited per network', async () => {
    s.clock.advance(15 * 60_000); // a fresh window of wrong codes: the tests above entered a few
    const da = (await start()).body;
    const jar = new BrowserJar();
    const codePage = await jar.get(`${s.url}/oauth/device`);
    const forged = await jar.post(`${s.url}/oauth/device`, { user_code: da.user_code });
    expect(forged.status).toBe(403);
    expect(forged.headers.get('x-frame-options')).toBe('DENY');
    const signIn = await jar.submit(codePage, s.url, { user_code: da.user_code });
    const wrong = await jar.submit(signIn, s.url, { email: 'ada@example.com', password: 'not the password' });
    expect(wrong.status).toBe(401);
    expect(wrong.html).toContain('The email or password is not right.');
    expect(wrong.html).toContain('value="ada@example.com"'); // the email typed stays in its field
    // A decision without a session is sent to sign in, and decides nothing.
    const stranger = new BrowserJar();
    const strangerPage = await stranger.get(`${s.url}/oauth/device`);
    const forms = strangerPage.form().hidden;
    const noSession = await stranger.post(`${s.url}/oauth/device/decision`, { ...forms, user_code: da.user_code, decision: 'allow' });
    expect(noSession.has('button', 'Sign in')).toBe(true);
    expect(await poll(da.device_code)).toMatchObject({ body: { error: 'authorization_pending' } });

    // Ten wrong codes from one network, and then not even a right code is looked up for a while.
    for (let i = 0; i < 10; i++) {
      const p = await jar.submit(codePage, s.url, { user_code: 'BCDF-GHJK' });
      expect(p.status).toBe(400);
      expect(p.html).toContain('That code is not right');
    }
    const throttled = await jar.submit(codePage, s.url, { user_code: da.user_code });
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('content-type')).toMatch(/^text\/html/);
    s.clock.advance(15 * 60_000);
    expect((await jar.submit(codePage, s.url, { user_code: da.user_code })).status).toBe(400); // expired meanwhile, counted
  });
});
