import { createHash } from 'node:crypto';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { BrowserJar, type Page } from './browser-jar.js';
import { startOAuthServer, type OAuthTestServer } from './support.js';

const PASSWORD = 'correct horse battery staple';
const NATIVE = 'http://127.0.0.1/callback';
const WEB = 'https://app.example/cb';

describe.each(DIALECTS)('tokens for people: authorization code with PKCE and OpenID Connect (%s)', (dialect) => {
  let s: OAuthTestServer;
  let userId: string;
  let publicId: string;
  let webId: string;
  let webSecret: string;
  let config: oidc.Configuration;
  beforeAll(async () => {
    s = await startOAuthServer(dialect);
    const user = await s.api('POST', '/v1/users', {
      email: 'Ada@Example.com',
      password: PASSWORD,
      name: 'Ada Lovelace',
      emailVerified: true,
    });
    expect(user.status).toBe(201);
    userId = user.body.userId;
    publicId = (
      await s.client({
        name: 'Notes for iOS',
        scopes: ['notes:read'],
        grantTypes: ['authorization_code', 'refresh_token'],
        redirectUris: [NATIVE],
        tokenEndpointAuthMethod: 'none',
      })
    ).clientId;
    const web = await s.client({ name: 'Notes web', grantTypes: ['authorization_code'], redirectUris: [WEB] });
    [webId, webSecret] = [web.clientId, web.clientSecret!];
    config = await oidc.discovery(new URL(s.url), publicId, undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
  });
  afterAll(() => s.close());
  beforeEach(() => s.clock.set(Math.max(s.clock.now(), Date.now())));

  /** An authorization request with fresh PKCE, state and nonce. */
  async function authorization(o: { redirectUri?: string; scope?: string; clientId?: string; extra?: Record<string, string> } = {}) {
    const verifier = oidc.randomPKCECodeVerifier();
    const checks = { verifier, state: oidc.randomState(), nonce: oidc.randomNonce() };
    const params = {
      client_id: o.clientId ?? publicId,
      response_type: 'code',
      redirect_uri: o.redirectUri ?? 'http://127.0.0.1:53682/callback',
      scope: o.scope ?? 'openid profile email offline_access',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: checks.state,
      nonce: checks.nonce,
      ...o.extra,
    };
    return { url: `${s.url}/oauth/authorize?${new URLSearchParams(params)}`, checks, params };
  }
  const signIn = (jar: BrowserJar, page: Page, email = 'ada@example.com', password = PASSWORD) =>
    jar.submit(page, s.url, { email, password });
  const answer = (page: Page) => new URL(page.location!);

  it('runs the flow with openid-client for a public native client: sign-in and consent pages, ID token, userinfo, refresh', async () => {
    const m = config.serverMetadata();
    expect(m).toMatchObject({
      issuer: s.url,
      authorization_endpoint: `${s.url}/oauth/authorize`,
      userinfo_endpoint: `${s.url}/oauth/userinfo`,
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
      subject_types_supported: ['public'],
      authorization_response_iss_parameter_supported: true,
    });
    expect(m.scopes_supported).toEqual(['openid', 'profile', 'email', 'offline_access']);
    expect(m.id_token_signing_alg_values_supported).toContain('EdDSA');
    expect(m.claims_supported).toContain('acr');
    expect(m.acr_values_supported).toEqual(['phr', 'urn:tessera:acr:mfa', 'urn:tessera:acr:pwd', 'urn:tessera:acr:fed']);
    const jar = new BrowserJar();
    // acr_values is a voluntary request (OIDC Core §3.1.2.1): taken, and the ID token says what the sign-in was.
    const { url, checks } = await authorization({ extra: { acr_values: 'phr urn:tessera:acr:mfa' } });
    const signInPage = await jar.get(url);
    expect(signInPage.status).toBe(200);
    expect(signInPage.has('label', 'Email') && signInPage.has('label', 'Password') && signInPage.has('button', 'Sign in')).toBe(true);
    expect(signInPage.headers.get('x-frame-options')).toBe('DENY');
    expect(signInPage.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
    expect(signInPage.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(signInPage.html).not.toMatch(/<script/);
    const consent = await signIn(jar, signInPage);
    expect(consent.status).toBe(200);
    expect(consent.has('button', 'Allow') && consent.has('button', 'Deny')).toBe(true);
    expect(consent.setCookies.find((c) => c.startsWith('tessera_end_user='))).toMatch(/HttpOnly; SameSite=Lax/);
    const back = await jar.submit(consent, s.url, { decision: 'allow' });
    expect(back.status).toBe(303);
    expect(back.location).toMatch(/^http:\/\/127\.0\.0\.1:53682\/callback\?code=tessera_ac_/);
    expect(answer(back).searchParams.get('iss')).toBe(s.url);

    const tokens = await oidc.authorizationCodeGrant(config, answer(back), {
      pkceCodeVerifier: checks.verifier,
      expectedState: checks.state,
      expectedNonce: checks.nonce,
      idTokenExpected: true,
    });
    expect(tokens.refresh_token).toMatch(/^tessera_rt_/);
    const { payload, protectedHeader } = await jwtVerify(tokens.id_token!, createRemoteJWKSet(new URL(`${s.url}/oauth/jwks`)), {
      issuer: s.url,
      audience: publicId,
      algorithms: ['EdDSA'],
    });
    expect(protectedHeader.typ).toBe('JWT');
    expect(payload).toMatchObject({ sub: userId, nonce: checks.nonce, amr: ['pwd'], acr: 'urn:tessera:acr:pwd' });
    expect(payload.auth_time).toBeLessThanOrEqual(payload.iat!);
    const digest = createHash('sha512').update(tokens.access_token).digest();
    expect(payload.at_hash).toBe(digest.subarray(0, 32).toString('base64url'));
    const access = await jwtVerify(tokens.access_token, createRemoteJWKSet(new URL(`${s.url}/oauth/jwks`)), {
      issuer: s.url,
      typ: 'at+jwt',
    });
    expect(access.payload).toMatchObject({ sub: userId, client_id: publicId, scope: 'openid profile email offline_access' });

    const info = await oidc.fetchUserInfo(config, tokens.access_token, userId);
    expect(info).toEqual({ sub: userId, name: 'Ada Lovelace', email: 'ada@example.com', email_verified: true });

    // Refresh tokens of a public client rotate; the spent one presented again ends the grant.
    const second = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(second.refresh_token).not.toBe(tokens.refresh_token);
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(oidc.refreshTokenGrant(config, second.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });

    // Signed in, and the consent remembered: straight back with a code, also with prompt=none.
    for (const extra of [{}, { prompt: 'none' }]) {
      const again = await authorization({ extra });
      const direct = await jar.get(again.url);
      expect(direct.status).toBe(303);
      expect(answer(direct).searchParams.get('code')).toMatch(/^tessera_ac_/);
      expect(answer(direct).searchParams.get('state')).toBe(again.checks.state);
    }
    // prompt=login and an exceeded max_age ask for the password again; prompt=consent asks again.
    for (const extra of [{ prompt: 'login' }, { max_age: '0' }]) {
      s.clock.advance(1000);
      expect((await jar.get((await authorization({ extra })).url)).html).toMatch(/<button type="submit">Sign in<\/button>/);
    }
    expect((await jar.get((await authorization({ extra: { prompt: 'consent' } })).url)).has('button', 'Allow')).toBe(true);
    // Another client needs its own consent; Deny answers access_denied with state and iss.
    const web = await authorization({ clientId: webId, redirectUri: WEB, scope: 'openid' });
    const denied = await jar.submit(await jar.get(web.url), s.url, { decision: 'deny' });
    expect(Object.fromEntries(answer(denied).searchParams)).toMatchObject({ error: 'access_denied', state: web.checks.state, iss: s.url });
  });

  it('refuses what RFC 9700 §4 lists: PKCE missing or plain, redirect URIs not registered, CSRF, code injection and replay', async () => {
    const refusedTo = async (extra: Record<string, string>, drop: string[] = []) => {
      const { params } = await authorization({ extra });
      for (const d of drop) delete (params as Record<string, string>)[d];
      const page = await new BrowserJar().get(`${s.url}/oauth/authorize?${new URLSearchParams(params)}`);
      return { page, params: page.location === null ? undefined : Object.fromEntries(new URL(page.location).searchParams) };
    };
    // PKCE: missing, plain, or a method left out (which means plain) — an error sent back with state and iss.
    for (const [extra, drop] of [
      [{}, ['code_challenge', 'code_challenge_method']],
      [{ code_challenge_method: 'plain' }, []],
      [{}, ['code_challenge_method']],
    ] as const) {
      const { params } = await refusedTo(extra, [...drop]);
      expect(params).toMatchObject({ error: 'invalid_request', iss: s.url });
      expect(params!.code).toBeUndefined();
    }
    // A redirect URI not registered (prefix-extended, another host, another loopback path) or an unknown client: a page, no redirect.
    for (const redirect_uri of [
      `${WEB}/evil`,
      `${WEB}.evil.example`,
      'https://evil.example/cb',
      'http://127.0.0.1:53682/other',
      'http://localhost/callback',
    ]) {
      const { page } = await refusedTo({ redirect_uri });
      expect([page.status, page.location]).toEqual([400, null]);
      expect(page.html).toMatch(/redirect URI is not one this application registered/);
    }
    expect((await refusedTo({ client_id: 'cli_0000000000000000000000' })).page.status).toBe(400);
    // prompt=none without a session: login_required.
    expect((await refusedTo({ prompt: 'none' })).params).toMatchObject({ error: 'login_required' });

    // CSRF: a form posted without this browser's cookie, or with another token, changes nothing.
    const jar = new BrowserJar();
    const web = await authorization({ clientId: webId, redirectUri: WEB, scope: 'openid email' });
    const page = await jar.get(web.url);
    const forged = new BrowserJar();
    for (const [who, csrf] of [
      [forged, page.form().hidden.csrf!],
      [jar, 'forged-token'],
    ] as const) {
      const r = await who.post(`${s.url}/oauth/authorize/sign-in`, {
        ...page.form().hidden,
        csrf,
        email: 'ada@example.com',
        password: PASSWORD,
      });
      expect(r.status).toBe(403);
      expect(r.setCookies.some((c) => c.includes('tessera_end_user='))).toBe(false);
    }
    // An unknown email and a wrong password get the very same page, but for the email typed, which
    // stays in its field.
    const unknown = await signIn(jar, page, 'nobody@example.com');
    const wrong = await signIn(jar, page, 'ada@example.com', 'not the password at all');
    expect([unknown.status, wrong.status]).toEqual([401, 401]);
    expect(unknown.html).toContain('value="nobody@example.com"');
    expect(unknown.html.replace('value="nobody@example.com"', 'value="…"')).toBe(
      wrong.html.replace('value="ada@example.com"', 'value="…"'),
    );

    const consent = await signIn(jar, page);
    const back = await jar.submit(consent, s.url, { decision: 'allow' });
    const code = answer(back).searchParams.get('code')!;
    const exchange = (params: Record<string, string>, auth = s.basic(webId, webSecret)) =>
      s.form(
        '/oauth/token',
        { grant_type: 'authorization_code', code, redirect_uri: WEB, code_verifier: web.checks.verifier, ...params },
        { authorization: auth },
      );
    // Another client, a wrong verifier, another redirect URI, no verifier: refused, and the code not spent.
    expect(
      (
        await s.form('/oauth/token', {
          grant_type: 'authorization_code',
          code,
          redirect_uri: WEB,
          code_verifier: web.checks.verifier,
          client_id: publicId,
        })
      ).body,
    ).toMatchObject({ error: 'invalid_grant' });
    expect((await exchange({ code_verifier: oidc.randomPKCECodeVerifier() })).body).toMatchObject({ error: 'invalid_grant' });
    expect((await exchange({ redirect_uri: `${WEB}/` })).body).toMatchObject({ error: 'invalid_grant' });
    expect((await exchange({ code_verifier: '' })).body).toMatchObject({ error: 'invalid_request' });
    const first = await exchange({});
    expect(first.status).toBe(200);
    expect(decodeProtectedHeader(first.body.id_token).alg).toBe('EdDSA');
    const introspect = (token: string) => s.form('/oauth/introspect', { token }, { authorization: s.basic(webId, webSecret) });
    expect((await introspect(first.body.access_token)).body.active).toBe(true);
    // The code again: refused, and the access token issued for it is revoked (RFC 6749 §4.1.2).
    const replay = await exchange({});
    expect(replay.body).toMatchObject({ error: 'invalid_grant' });
    expect((await introspect(first.body.access_token)).body).toEqual({ active: false });
    const audit = await s.api('GET', '/v1/audit?action=oauth_authorization_code.reused');
    expect(audit.body.items[0]).toMatchObject({ target: webId, details: { userId, presentedBy: webId } });
    expect(JSON.stringify(audit.body)).not.toContain(code);
    // Codes live a minute at most.
    const late = await authorization({ clientId: webId, redirectUri: WEB, scope: 'openid email' });
    const lateCode = answer(await jar.get(late.url)).searchParams.get('code')!;
    s.clock.advance(61_000);
    const expired = await s.form(
      '/oauth/token',
      { grant_type: 'authorization_code', code: lateCode, redirect_uri: WEB, code_verifier: late.checks.verifier },
      { authorization: s.basic(webId, webSecret) },
    );
    expect(expired.body).toMatchObject({ error: 'invalid_grant' });
  });

  it('manages end users: create, list, get, disable (sign-in and refresh stop), enable, delete; permissions apply', async () => {
    expect((await s.api('POST', '/v1/users', { email: 'ada@example.com', password: PASSWORD })).status).toBe(409);
    expect((await s.api('POST', '/v1/users', { email: 'grace@example.com', password: 'short' })).status).toBe(400);
    const made = await s.api('POST', '/v1/users', { email: 'grace@example.com', password: PASSWORD });
    expect(made.body).toMatchObject({ email: 'grace@example.com', emailVerified: false, name: null, disabled: false });
    const list = await s.api('GET', '/v1/users?limit=1');
    expect(list.body.items).toHaveLength(1);
    expect((await s.api('GET', `/v1/users?cursor=${list.body.nextCursor}`)).body.items.map((u: any) => u.email)).toContain(
      'grace@example.com',
    );
    const reader = (await s.api('POST', '/v1/root-keys', { name: 'reader', permissions: ['end_users:read'] })).body.key;
    expect((await s.api('GET', `/v1/users/${made.body.userId}`, undefined, reader)).status).toBe(200);
    expect((await s.api('POST', '/v1/users', { email: 'x@example.com', password: PASSWORD }, reader)).status).toBe(403);

    // A refresh token of Grace's, then she is disabled: no refresh, no sign-in.
    const jar = new BrowserJar();
    const flow = await authorization();
    const back = await jar.submit(await signIn(jar, await jar.get(flow.url), 'grace@example.com'), s.url, { decision: 'allow' });
    const tokens = await oidc.authorizationCodeGrant(config, answer(back), {
      pkceCodeVerifier: flow.checks.verifier,
      expectedState: flow.checks.state,
      expectedNonce: flow.checks.nonce,
    });
    expect((await s.api('POST', `/v1/users/${made.body.userId}/disable`)).body.disabled).toBe(true);
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(oidc.fetchUserInfo(config, tokens.access_token, made.body.userId)).rejects.toMatchObject({ status: 401 });
    const again = await authorization();
    expect((await signIn(jar, await jar.get(again.url), 'grace@example.com')).status).toBe(401);
    expect((await s.api('POST', `/v1/users/${made.body.userId}/enable`)).body.disabled).toBe(false);
    expect((await s.api('DELETE', `/v1/users/${made.body.userId}`)).status).toBe(204);
    expect((await s.api('GET', `/v1/users/${made.body.userId}`)).status).toBe(404);
    const audit = await s.api('GET', '/v1/audit?limit=200');
    expect(audit.body.items.filter((e: any) => e.target === made.body.userId).map((e: any) => e.action)).toEqual(
      expect.arrayContaining([
        'end_user.created',
        'end_user.signed_in',
        'end_user.disabled',
        'end_user.sign_in_failed',
        'end_user.deleted',
      ]),
    );
    expect(JSON.stringify(audit.body)).not.toContain(PASSWORD);
  });
});
