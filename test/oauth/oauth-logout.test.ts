import { SignJWT, generateKeyPair } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { BrowserJar } from './browser-jar.js';
import { startOAuthServer, type OAuthTestServer } from './support.js';

const PASSWORD = 'correct horse battery staple';
const SIGNED_OUT = 'http://127.0.0.1/signed-out';

/** RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0), openid-client as the relying party. */
describe.each(DIALECTS)('tokens for people: RP-initiated logout (%s)', (dialect) => {
  let s: OAuthTestServer;
  let userId: string;
  let clientId: string;
  let config: oidc.Configuration;
  beforeAll(async () => {
    s = await startOAuthServer(dialect);
    userId = (await s.api('POST', '/v1/users', { email: 'ada@example.com', password: PASSWORD })).body.userId;
    const c = await s.client({
      name: 'Notes',
      grantTypes: ['authorization_code'],
      redirectUris: ['http://127.0.0.1/callback'],
      postLogoutRedirectUris: [SIGNED_OUT],
      tokenEndpointAuthMethod: 'none',
    });
    expect(c.view.postLogoutRedirectUris).toEqual([SIGNED_OUT]);
    clientId = c.clientId;
    config = await oidc.discovery(new URL(s.url), clientId, undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
  });
  afterAll(() => s.close());
  beforeEach(() => s.clock.set(Math.max(s.clock.now(), Date.now())));

  /** Signs in through the authorization endpoint: the browser (signed in) and an ID token. */
  async function signIn(jar = new BrowserJar()) {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: 'http://127.0.0.1:4000/callback',
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    let page = await jar.get(url.toString());
    if (page.status === 200 && page.has('button', 'Sign in'))
      page = await jar.submit(page, s.url, { email: 'ada@example.com', password: PASSWORD });
    if (page.status === 200) page = await jar.submit(page, s.url, { decision: 'allow' });
    const tokens = await oidc.authorizationCodeGrant(config, new URL(page.location!), { pkceCodeVerifier: verifier, expectedState: state });
    return { jar, idToken: tokens.id_token!, authorizeUrl: url.toString() };
  }
  const logoutPage = (jar: BrowserJar, params: Record<string, string>) => jar.get(`${s.url}/oauth/logout?${new URLSearchParams(params)}`);

  it('signs the user out after they confirm, ends every sign-in of theirs, and returns to the registered URI with state', async () => {
    expect(config.serverMetadata().end_session_endpoint).toBe(`${s.url}/oauth/logout`);
    const { jar, idToken, authorizeUrl } = await signIn();
    const session = [...jar.cookies].find(([k]) => k === 'tessera_end_user')!;
    const other = new BrowserJar(); // the same user's sign-in in another browser
    other.cookies.set(...session);

    const url = oidc.buildEndSessionUrl(config, { id_token_hint: idToken, post_logout_redirect_uri: SIGNED_OUT, state: 'st-1' });
    const confirm = await jar.get(url.toString());
    expect(confirm.status).toBe(200);
    expect(confirm.has('button', 'Sign out')).toBe(true);
    expect(confirm.headers.get('x-frame-options')).toBe('DENY');
    expect(confirm.headers.get('cache-control')).toBe('no-store');
    s.clock.advance(1000);
    const back = await jar.submit(confirm, s.url, {});
    expect(back.status).toBe(303);
    expect(back.location).toBe(`${SIGNED_OUT}?state=st-1`);
    expect(back.setCookies.find((c) => c.startsWith('tessera_end_user='))).toMatch(/Max-Age=0/);
    expect(jar.cookies.has('tessera_end_user')).toBe(false);
    // The session cookie kept elsewhere no longer signs in: the sign-in page again.
    const again = await other.get(authorizeUrl);
    expect(again.has('button', 'Sign in')).toBe(true);
    const audit = await s.api('GET', '/v1/audit?action=end_user.signed_out');
    expect(audit.body.items.at(-1)).toMatchObject({ target: userId, details: { clientId } });

    // A new sign-in works; an expired ID token is still a good hint (§2); without a redirect, a page.
    s.clock.advance(1000);
    const fresh = await signIn(new BrowserJar());
    s.clock.advance(3_600_000);
    const late = await logoutPage(fresh.jar, { id_token_hint: fresh.idToken });
    expect(late.status).toBe(200);
    const done = await fresh.jar.submit(late, s.url, {});
    expect(done.status).toBe(200);
    expect(done.html).toContain('You are signed out');
  });

  it('refuses on a page, never redirecting: unregistered URIs, foreign or forged ID tokens, mismatched clients, no CSRF token', async () => {
    s.clock.advance(1000); // past the sign-out above (the clock stands still otherwise)
    const { jar, idToken } = await signIn();
    const refusedPage = async (params: Record<string, string>) => {
      const p = await logoutPage(jar, params);
      expect(p.status, JSON.stringify(params)).toBe(400);
      expect(p.location).toBeNull();
      expect(p.headers.get('content-type')).toMatch(/^text\/html/);
    };
    await refusedPage({ id_token_hint: idToken, post_logout_redirect_uri: 'https://evil.example/' });
    await refusedPage({ id_token_hint: idToken, post_logout_redirect_uri: `${SIGNED_OUT}/x` });
    await refusedPage({ id_token_hint: idToken, post_logout_redirect_uri: 'http://127.0.0.1:8080/signed-out' }); // exact, port too
    await refusedPage({ post_logout_redirect_uri: SIGNED_OUT }); // no client named
    const other = await s.client({ name: 'other', grantTypes: ['client_credentials'] });
    await refusedPage({ id_token_hint: idToken, client_id: other.clientId, post_logout_redirect_uri: SIGNED_OUT });
    const [h, p] = idToken.split('.');
    await refusedPage({ id_token_hint: `${h}.${p}.${'A'.repeat(86)}` });
    const { privateKey } = await generateKeyPair('EdDSA');
    const forged = await new SignJWT({ sub: userId, aud: clientId })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: JSON.parse(Buffer.from(h!, 'base64url').toString()).kid })
      .setIssuer(s.url)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
    await refusedPage({ id_token_hint: forged, post_logout_redirect_uri: SIGNED_OUT });

    // client_id alone names the client; the confirmation form needs its CSRF token.
    const ok = await logoutPage(jar, { client_id: clientId, post_logout_redirect_uri: SIGNED_OUT });
    expect(ok.status).toBe(200);
    const forgedForm = await jar.post(`${s.url}/oauth/logout/confirm`, { request: `client_id=${clientId}` });
    expect(forgedForm.status).toBe(403);
    expect(jar.cookies.has('tessera_end_user')).toBe(true);
  });
});
