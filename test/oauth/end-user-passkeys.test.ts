import { createHash } from 'node:crypto';
import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base32Decode, totp } from '../../packages/core/src/totp/totp.js';
import { SoftAuthenticator } from '../console/support/soft-authenticator.js';
import { DIALECTS } from '../support/databases.js';
import { BrowserJar, type Page } from './browser-jar.js';
import { pkceRequest, startPeopleServer, type OAuthTestServer } from './support.js';

const PASSWORD = 'correct horse battery staple';
const REDIRECT = 'http://127.0.0.1/callback';
const EMAIL = 'hedy@example.com';

/** The options a passkey page carries for its script (a JSON data block). */
const optionsOf = (page: Page) =>
  JSON.parse(/<script type="application\/json" id="passkey-options">([^<]*)<\/script>/.exec(page.html)![1]!).options;

/**
 * An end user's passkeys over HTTP, the browser's part played by a software authenticator: added
 * on the account page (bound to the issuer's host), asked for after the password at the
 * authorization endpoint, the device page and the account page, refused when unknown or replayed,
 * removed by the user, and forgotten at an administrator's reset.
 */
describe.each(DIALECTS)('an end user’s passkeys (%s)', (dialect) => {
  let s: OAuthTestServer;
  let userId: string;
  let clientId: string;
  let authenticator: SoftAuthenticator;
  const audit = async (action: string) => (await s.api('GET', `/v1/audit?action=${action}`)).body.items as any[];

  beforeAll(async () => {
    ({ s, userId, clientId } = await startPeopleServer(dialect, { email: EMAIL, password: PASSWORD }, REDIRECT));
    authenticator = new SoftAuthenticator(s.url);
  });
  afterAll(() => s.close());

  /** Signs in to the account page with the password (and the passkey once there is one); the account page. */
  async function account(jar: BrowserJar, email = EMAIL, held = authenticator): Promise<Page> {
    const back = await jar.submit(await jar.get(`${s.url}/oauth/account`), s.url, { email, password: PASSWORD });
    expect(back.status).toBe(303);
    const page = await jar.get(`${s.url}${back.location}`);
    if (!page.has('button', 'Use a passkey')) return page;
    const signed = await jar.submit(page, s.url, { credential: JSON.stringify(held.get(optionsOf(page))) });
    expect(signed.status).toBe(303);
    return jar.get(`${s.url}${signed.location}`);
  }

  async function register(jar: BrowserJar, page: Page, name: string): Promise<Page> {
    const started = await jar.submit(page, s.url, { name }, '/oauth/account/passkeys');
    expect(started.status).toBe(200);
    return started;
  }

  async function authorize(jar: BrowserJar) {
    const { verifier, query } = await pkceRequest(clientId, REDIRECT);
    const page = await jar.get(`${s.url}/oauth/authorize?${query}`);
    return { verifier, second: await jar.submit(page, s.url, { email: EMAIL, password: PASSWORD }) };
  }

  it('adds a passkey on the account page, bound to the issuer’s host, under a CSP that allows only its script', async () => {
    const jar = new BrowserJar();
    const page = await account(jar);
    expect(page.has('label', 'Passkey name') && page.has('button', 'Add a passkey')).toBe(true);
    expect((await jar.post(`${s.url}/oauth/account/passkeys`, { name: 'x' })).status).toBe(403);
    const started = await register(jar, page, 'Laptop');
    const options = optionsOf(started);
    expect(options.rp.id).toBe('127.0.0.1');
    expect(options.user.name).toBe(EMAIL);
    expect(options.attestation).toBe('none');
    const csp = started.headers.get('content-security-policy')!;
    const script = /<script>([^<]*)<\/script>/.exec(started.html)![1]!;
    const hash = `'sha256-${createHash('sha256').update(script).digest('base64')}'`;
    expect(csp).toContain(`script-src ${hash};`);
    expect(csp).not.toContain('unsafe');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(started.headers.get('x-frame-options')).toBe('DENY');

    // Made for another site: refused, and the challenge is spent, so its right answer is refused too.
    const phished = await jar.submit(started, s.url, { credential: JSON.stringify(authenticator.create(options, 'https://evil.example')) });
    expect(phished.status).toBe(400);
    expect(phished.html).toContain('That passkey could not be added.');
    const late = await jar.submit(phished, s.url, { credential: JSON.stringify(authenticator.create(options)) });
    expect(late.status).toBe(400);
    const added = await jar.submit(late, s.url, { credential: JSON.stringify(authenticator.create(optionsOf(late))) });
    expect(added.location).toBe('/oauth/account?notice=passkey_added');
    const listed = await jar.get(`${s.url}${added.location}`);
    expect(listed.html).toMatch(/<strong>Laptop<\/strong> <span>added \d{4}-\d\d-\d\d, never used<\/span>/);
    const [stored] = await s.db.ports.oauth.endUserPasskeys.list(userId);
    expect(stored).toMatchObject({ userId, credentialId: authenticator.id, counter: 0, transports: ['internal'], name: 'Laptop' });
    expect((await s.api('GET', `/v1/users/${userId}`)).body.secondFactor).toBe(true);
    expect(await audit('end_user.passkey_registered')).toEqual([
      expect.objectContaining({ actor: `end_user:${userId}`, target: userId, details: { passkeyId: stored!.id, name: 'Laptop' } }),
    ]);
  });

  it('asks for the passkey after the password; amr then holds pwd, swk and user', async () => {
    const jar = new BrowserJar();
    const { verifier, second } = await authorize(jar);
    expect(second.status).toBe(200);
    expect(second.html).toContain('<h1>Use your passkey</h1>');
    expect(second.has('label', 'Code')).toBe(false);
    const options = optionsOf(second);
    expect(options.rpId).toBe('127.0.0.1');
    expect(options.allowCredentials).toEqual([{ id: authenticator.id, type: 'public-key', transports: ['internal'] }]);
    const consent = await jar.submit(second, s.url, { credential: JSON.stringify(authenticator.get(options)) });
    expect(consent.has('button', 'Allow')).toBe(true);
    const back = await jar.submit(consent, s.url, { decision: 'allow' });
    const config = await s.discover(clientId, oidc.None());
    const tokens = await oidc.authorizationCodeGrant(config, new URL(back.location!), { pkceCodeVerifier: verifier });
    expect(decodeJwt(tokens.id_token!)).toMatchObject({ amr: ['pwd', 'swk', 'user'], acr: 'phr' });
    expect(await audit('end_user.signed_in')).toContainEqual(
      expect.objectContaining({ details: { clientId, amr: ['pwd', 'swk', 'user'] } }),
    );
    expect((await audit('end_user.passkey_used'))[0]).toMatchObject({ target: userId, details: { name: 'Laptop', clientId } });
    expect((await s.db.ports.oauth.endUserPasskeys.list(userId))[0]!.lastUsedAt).toBe(s.clock.now());
  });

  it('refuses an unknown passkey, an assertion for another site, and a replayed one', async () => {
    const jar = new BrowserJar();
    let { second } = await authorize(jar);
    const stranger = new SoftAuthenticator(s.url);
    const unknown = await jar.submit(second, s.url, { credential: JSON.stringify(stranger.get(optionsOf(second))) });
    expect(unknown.status).toBe(401);
    expect(unknown.html).toContain('That passkey was not accepted.');
    const phished = await jar.submit(unknown, s.url, {
      credential: JSON.stringify(authenticator.get(optionsOf(unknown), { origin: 'https://evil.example' })),
    });
    expect(phished.status).toBe(401);
    const malformed = await jar.submit(phished, s.url, { credential: '{"id":' });
    expect(malformed.status).toBe(401);
    const assertion = JSON.stringify(authenticator.get(optionsOf(malformed)));
    second = await jar.submit(malformed, s.url, { credential: assertion });
    expect(second.status).toBe(303);
    // The same assertion again, in another sign-in: its challenge was taken.
    const other = new BrowserJar();
    expect((await other.submit((await authorize(other)).second, s.url, { credential: assertion })).status).toBe(401);
    const failed = (await audit('end_user.sign_in_failed')).filter((e) => e.details.reason === 'passkey');
    expect(failed).toHaveLength(4);
  });

  it('refuses another user’s passkey, and offers the code beside the passkey when TOTP is enrolled too', async () => {
    // Another user of the workspace, with a passkey of their own (and a TOTP code set up).
    const other = 'grace@example.com';
    expect((await s.api('POST', '/v1/users', { email: other, password: PASSWORD })).status).toBe(201);
    const theirs = new SoftAuthenticator(s.url);
    const jar = new BrowserJar();
    const started = await register(jar, await account(jar, other, theirs), 'Theirs');
    expect((await jar.submit(started, s.url, { credential: JSON.stringify(theirs.create(optionsOf(started))) })).status).toBe(303);
    const enrolment = await jar.submit(await jar.get(`${s.url}/oauth/account`), s.url, {}, '/oauth/account/totp');
    const secret = base32Decode(/<code id="totp_secret">([^<]+)<\/code>/.exec(enrolment.html)![1]!);
    expect((await jar.submit(enrolment, s.url, { code: totp(secret, s.clock.now()) })).status).toBe(303);

    const mine = new BrowserJar();
    const { second } = await authorize(mine);
    const refused = await mine.submit(second, s.url, { credential: JSON.stringify(theirs.get(optionsOf(second))) });
    expect(refused.status).toBe(401);
    expect(refused.html).toContain('That passkey was not accepted.');

    // Their sign-in offers both: the passkey, and the code.
    const theirJar = new BrowserJar();
    const back = await theirJar.submit(await theirJar.get(`${s.url}/oauth/account`), s.url, { email: other, password: PASSWORD });
    const offered = await theirJar.get(`${s.url}${back.location}`);
    expect(offered.html).toContain('<h1>Use your passkey or a code</h1>');
    expect(offered.has('button', 'Use a passkey') && offered.has('label', 'Code') && offered.has('button', 'Verify')).toBe(true);
    s.clock.advance(30_000);
    const byCode = await theirJar.submit(offered, s.url, { code: totp(secret, s.clock.now()) }, '/oauth/account/second-factor');
    expect(byCode.status).toBe(303);
  });

  it('asks for the passkey on the device page too', async () => {
    const da = await s.form('/oauth/device_authorization', { client_id: clientId, scope: 'openid' });
    const jar = new BrowserJar();
    const entered = await jar.submit(await jar.get(da.body.verification_uri), s.url, { user_code: da.body.user_code });
    const second = await jar.submit(entered, s.url, { email: EMAIL, password: PASSWORD });
    expect(second.has('button', 'Use a passkey')).toBe(true);
    const confirm = await jar.submit(second, s.url, { credential: JSON.stringify(authenticator.get(optionsOf(second))) });
    expect(confirm.status).toBe(200);
    expect(confirm.has('button', 'Allow')).toBe(true);
  });

  it('removes a passkey on the account page; the password is then enough', async () => {
    const jar = new BrowserJar();
    const page = await account(jar);
    const [passkey] = await s.db.ports.oauth.endUserPasskeys.list(userId);
    expect(page.has('button', 'Remove')).toBe(true);
    expect((await jar.submit(page, s.url, { id: 'pk_unknown' }, '/oauth/account/passkeys/remove')).status).toBe(404);
    const removed = await jar.submit(page, s.url, {}, '/oauth/account/passkeys/remove');
    expect(removed.location).toBe('/oauth/account?notice=passkey_removed');
    expect(await s.db.ports.oauth.endUserPasskeys.list(userId)).toEqual([]);
    expect(await audit('end_user.passkey_removed')).toEqual([
      expect.objectContaining({ target: userId, details: { passkeyId: passkey!.id, name: 'Laptop' } }),
    ]);
    expect((await s.api('GET', `/v1/users/${userId}`)).body.secondFactor).toBe(false);
    const { second } = await authorize(new BrowserJar());
    expect(second.status).toBe(303);
  });

  it('forgets every passkey at an administrator’s reset of the second factor', async () => {
    const jar = new BrowserJar();
    const started = await register(jar, await account(jar), 'Phone');
    const added = await jar.submit(started, s.url, { credential: JSON.stringify(authenticator.create(optionsOf(started))) });
    expect(added.status).toBe(303);
    expect((await authorize(new BrowserJar())).second.has('button', 'Use a passkey')).toBe(true);
    const reset = await s.api('DELETE', `/v1/users/${userId}/second-factor`);
    expect(reset.status).toBe(200);
    expect(reset.body.secondFactor).toBe(false);
    expect(await s.db.ports.oauth.endUserPasskeys.list(userId)).toEqual([]);
    expect((await audit('end_user.second_factor_reset'))[0].details).toEqual({ totp: false, passkeysRemoved: 1 });
    expect((await s.api('DELETE', `/v1/users/${userId}/second-factor`)).status).toBe(404);
    expect((await authorize(new BrowserJar())).second.status).toBe(303);
  });
});
