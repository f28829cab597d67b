import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base32Decode, totp } from '../../packages/core/src/totp/totp.js';
import { DIALECTS } from '../support/databases.js';
import { startTestServer } from '../support/server.js';
import { BrowserJar, type Page } from './browser-jar.js';
import { pkceRequest, startPeopleServer, type OAuthTestServer } from './support.js';

const PASSWORD = 'correct horse battery staple';
const REDIRECT = 'http://127.0.0.1/callback';
const EMAIL = 'grace@example.com';

/**
 * An end user's TOTP second factor over HTTP: enrolled from the account page, asked for after the
 * password at the authorization endpoint and on the device page, each code accepted once, and
 * reset by an administrator.
 */
describe.each(DIALECTS)('an end user’s second factor (%s)', (dialect) => {
  let s: OAuthTestServer;
  let userId: string;
  let clientId: string;
  let secret: Buffer;
  const code = () => totp(secret, s.clock.now());
  const audit = async (action: string) => (await s.api('GET', `/v1/audit?action=${action}`)).body.items as any[];

  beforeAll(async () => {
    ({ s, userId, clientId } = await startPeopleServer(dialect, { email: EMAIL, password: PASSWORD }, REDIRECT));
  });
  afterAll(() => s.close());

  /** Signs in to the account page with the password; the page it lands on. */
  async function account(jar: BrowserJar): Promise<Page> {
    const signIn = await jar.get(`${s.url}/oauth/account`);
    expect(signIn.has('button', 'Sign in')).toBe(true);
    const back = await jar.submit(signIn, s.url, { email: EMAIL, password: PASSWORD });
    expect(back.status).toBe(303);
    return jar.get(`${s.url}${back.location}`);
  }

  async function authorize(jar: BrowserJar, extra: Record<string, string> = {}) {
    const { verifier, query } = await pkceRequest(clientId, REDIRECT, extra);
    return { verifier, page: await jar.get(`${s.url}/oauth/authorize?${query}`) };
  }

  it('enrols from the account page, confirmed by a code, and refuses forms without their CSRF token', async () => {
    const jar = new BrowserJar();
    const page = await account(jar);
    expect(page.status).toBe(200);
    expect(page.has('button', 'Set up an authenticator app')).toBe(true);
    expect(page.headers.get('content-security-policy')).toMatch(
      /^default-src 'none'; style-src 'sha256-[^']+' 'sha256-[^']+'; form-action 'self'; frame-ancestors 'none'/,
    );
    expect((await jar.post(`${s.url}/oauth/account/totp`, {})).status).toBe(403);
    const offered = await jar.submit(page, s.url, {}, '/oauth/account/totp');
    expect(offered.status).toBe(200);
    secret = base32Decode(/<code id="totp_secret">([^<]+)<\/code>/.exec(offered.html)![1]!);
    const wrong = await jar.submit(offered, s.url, { code: String((Number(code()) + 1) % 1_000_000).padStart(6, '0') });
    expect(wrong.status).toBe(401);
    const done = await jar.submit(wrong, s.url, { code: code() });
    expect(done.status).toBe(303);
    expect(done.location).toBe('/oauth/account?notice=enrolled');
    expect((await s.api('GET', `/v1/users/${userId}`)).body.secondFactor).toBe(true);
    expect(await audit('end_user.totp_enrolled')).toEqual([expect.objectContaining({ target: userId })]);
    // The enrolment's code counts as this sign-in's second factor: the account page shows at once.
    expect((await jar.get(`${s.url}/oauth/account`)).has('button', 'Remove the second factor')).toBe(true);
  });

  it('asks for the code after the password; a spent code is refused; amr holds otp', async () => {
    const jar = new BrowserJar();
    const { verifier, page } = await authorize(jar);
    const second = await jar.submit(page, s.url, { email: EMAIL, password: PASSWORD });
    expect(second.status).toBe(200);
    expect(second.has('label', 'Code') && second.has('button', 'Verify')).toBe(true);
    // Password alone is no sign-in: prompt=none answers login_required.
    const none = await authorize(jar, { prompt: 'none' });
    expect(new URL(none.page.location!).searchParams.get('error')).toBe('login_required');
    // The step the enrolment used is spent: its code is refused, counted and audited like a wrong one.
    const replay = await jar.submit(second, s.url, { code: code() });
    expect(replay.status).toBe(401);
    expect(await audit('end_user.sign_in_failed')).toEqual([
      expect.objectContaining({ target: userId, details: { reason: 'totp', clientId } }),
      expect.objectContaining({ target: userId, details: { reason: 'totp_enrolment', clientId: null } }),
    ]);
    s.clock.advance(30_000);
    const consent = await jar.submit(replay, s.url, { code: code() });
    expect(consent.has('button', 'Allow')).toBe(true);
    const back = await jar.submit(consent, s.url, { decision: 'allow' });
    const config = await s.discover(clientId, oidc.None());
    const tokens = await oidc.authorizationCodeGrant(config, new URL(back.location!), { pkceCodeVerifier: verifier });
    expect(decodeJwt(tokens.id_token!)).toMatchObject({ amr: ['pwd', 'otp'], acr: 'urn:tessera:acr:mfa' });
    expect(await audit('end_user.signed_in')).toContainEqual(expect.objectContaining({ details: { clientId, amr: ['pwd', 'otp'] } }));

    // Another browser, the same code a moment later: refused.
    const other = new BrowserJar();
    const again = await other.submit((await authorize(other)).page, s.url, { email: EMAIL, password: PASSWORD });
    expect((await other.submit(again, s.url, { code: code() })).status).toBe(401);
  });

  it('asks for the code on the device page too', async () => {
    s.clock.advance(30_000);
    const da = await s.form('/oauth/device_authorization', { client_id: clientId, scope: 'openid' });
    const jar = new BrowserJar();
    const entered = await jar.submit(await jar.get(da.body.verification_uri), s.url, { user_code: da.body.user_code });
    const second = await jar.submit(entered, s.url, { email: EMAIL, password: PASSWORD });
    expect(second.has('button', 'Verify')).toBe(true);
    const confirm = await jar.submit(second, s.url, { code: code() });
    expect(confirm.status).toBe(200);
    expect(confirm.has('button', 'Allow')).toBe(true);
  });

  it('stops checking a user’s codes after ten wrong ones, from any address, until the window ends', async () => {
    s.clock.advance(15 * 60_000); // a window of its own, for the addresses and for the user
    const wrong = () => String((Number(code()) + 500_000) % 1_000_000).padStart(6, '0');
    const jar = new BrowserJar();
    let page = await jar.submit((await authorize(jar)).page, s.url, { email: EMAIL, password: PASSWORD });
    expect(page.has('label', 'Code')).toBe(true);
    for (let i = 0; i < 10; i++) {
      page = await jar.submit(page, s.url, { code: wrong() });
      expect(page.status).toBe(401);
    }
    // Ten wrong codes: under the network's limit of 30, yet even the right code is not checked now.
    const refused = await jar.submit(page, s.url, { code: code() });
    expect(refused.status).toBe(429);
    s.clock.advance(15 * 60_000);
    const other = new BrowserJar();
    const second = await other.submit((await authorize(other)).page, s.url, { email: EMAIL, password: PASSWORD });
    // The window over, the right code passes: the consent given before sends the browser back with a code.
    const passed = await other.submit(second, s.url, { code: code() });
    expect(passed.status).toBe(303);
    expect(new URL(passed.location!).searchParams.get('code')).toMatch(/.+/);
  });

  it('counts a user’s wrong codes across nodes: five on each of two nodes use up the ten', async () => {
    s.clock.advance(15 * 60_000);
    const other = await startTestServer(dialect, { clock: s.clock, join: s });
    try {
      const wrong = () => String((Number(code()) + 500_000) % 1_000_000).padStart(6, '0');
      const nodes = [s.url, other.url].map((url) => ({ url, jar: new BrowserJar() }));
      const pages: Page[] = [];
      for (const n of nodes) {
        const { query } = await pkceRequest(clientId, REDIRECT);
        const signIn = await n.jar.get(`${n.url}/oauth/authorize?${query}`);
        pages.push(await n.jar.submit(signIn, n.url, { email: EMAIL, password: PASSWORD }));
        expect(pages.at(-1)!.has('label', 'Code')).toBe(true);
      }
      for (let i = 0; i < 10; i++) {
        const n = i % 2;
        pages[n] = await nodes[n]!.jar.submit(pages[n]!, nodes[n]!.url, { code: wrong() });
        expect(pages[n]!.status).toBe(401);
      }
      // Each node saw five, under the ten; together they are ten, so neither node checks a code now.
      for (const n of [0, 1]) expect((await nodes[n]!.jar.submit(pages[n]!, nodes[n]!.url, { code: code() })).status).toBe(429);
    } finally {
      await other.close();
      s.clock.advance(15 * 60_000); // the window over, for the tests after this one
    }
  });

  it('lets an administrator reset it (end_users:manage), after which the password is enough', async () => {
    const reader = (await s.api('POST', '/v1/root-keys', { name: 'reader', permissions: ['end_users:read'] })).body.key;
    expect((await s.api('DELETE', `/v1/users/${userId}/second-factor`, undefined, reader)).status).toBe(403);
    const reset = await s.api('DELETE', `/v1/users/${userId}/second-factor`);
    expect(reset.status).toBe(200);
    expect(reset.body).toMatchObject({ userId, secondFactor: false });
    expect((await s.api('DELETE', `/v1/users/${userId}/second-factor`)).status).toBe(404);
    expect(await audit('end_user.second_factor_reset')).toEqual([expect.objectContaining({ target: userId })]);
    const jar = new BrowserJar();
    const page = await jar.submit((await authorize(jar)).page, s.url, { email: EMAIL, password: PASSWORD });
    expect(page.status).toBe(303);
    expect(new URL(page.location!).searchParams.get('code')).toMatch(/^tessera_ac_/);
  });

  it('is removed on the account page with a current code, not with a wrong one', async () => {
    const jar = new BrowserJar();
    const page = await account(jar);
    const offered = await jar.submit(page, s.url, {}, '/oauth/account/totp');
    secret = base32Decode(/<code id="totp_secret">([^<]+)<\/code>/.exec(offered.html)![1]!);
    expect((await jar.submit(offered, s.url, { code: code() })).status).toBe(303);
    const enrolled = await jar.get(`${s.url}/oauth/account`);
    const wrong = String((Number(code()) + 1) % 1_000_000).padStart(6, '0');
    const refused = await jar.submit(enrolled, s.url, { code: wrong }, '/oauth/account/totp/remove');
    expect(refused.status).toBe(401);
    expect((await s.api('GET', `/v1/users/${userId}`)).body.secondFactor).toBe(true);
    s.clock.advance(30_000);
    const removed = await jar.submit(refused, s.url, { code: code() }, '/oauth/account/totp/remove');
    expect(removed.location).toBe('/oauth/account?notice=removed');
    expect((await s.api('GET', `/v1/users/${userId}`)).body.secondFactor).toBe(false);
    expect(await audit('end_user.totp_removed')).toEqual([expect.objectContaining({ target: userId })]);
  });
});
