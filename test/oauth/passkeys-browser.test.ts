import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from '../console/support/axe.js';
import { startHostedBrowser, type HostedBrowser } from './hosted-browser.js';
import { pkceRequest, type OAuthTestServer } from './support.js';

const PASSWORD = 'correct horse battery staple';
const EMAIL = 'ada@example.com';

/**
 * An end user's passkey in Chromium, made and used by a virtual authenticator (CDP WebAuthn): added
 * on the account page, given after the password in an authorization code flow (the ID token's `amr`
 * says so), removed, and forgotten at an administrator's reset. The pages run their one script
 * under their CSP: a blocked script would leave the buttons dead, and is reported on the console.
 */
describe('an end user’s passkey in Chromium', () => {
  let hosted: HostedBrowser;
  let s: OAuthTestServer;
  let origin: string;
  let callback: string;
  let clientId: string;
  let userId: string;
  let page: Page;
  let cdp: CDPSession;
  let authenticatorId: string;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    hosted = await startHostedBrowser({ localhost: true });
    ({ s, origin, callback, page } = hosted);
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    userId = (await s.api('POST', '/v1/users', { email: EMAIL, password: PASSWORD })).body.userId;
    clientId = (
      await s.client({ name: 'Notes', grantTypes: ['authorization_code'], redirectUris: [callback], tokenEndpointAuthMethod: 'none' })
    ).clientId;
    cdp = await page.context().newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    ({ authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
    }));
  });
  afterAll(() => hosted?.close());

  async function signIn() {
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  async function addPasskey(name: string) {
    await page.goto(`${origin}/oauth/account`);
    if (await page.getByLabel('Email').count()) await signIn();
    await page.getByLabel('Passkey name').fill(name);
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.getByRole('heading', { name: 'Add a passkey' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Create the passkey' }).click();
    await page.getByText('Your passkey is added').waitFor();
  }

  /** An authorization code flow in the browser; the ID token, verified with the server's keys. */
  async function authorize(pages: () => Promise<void>) {
    const { verifier, query } = await pkceRequest(clientId, callback);
    await page.goto(`${origin}/oauth/authorize?${query}`);
    await signIn();
    await pages();
    await page.waitForURL((u) => u.toString().startsWith(callback));
    const tokens = await s.form('/oauth/token', {
      grant_type: 'authorization_code',
      code: new URL(page.url()).searchParams.get('code')!,
      redirect_uri: callback,
      client_id: clientId,
      code_verifier: verifier,
    });
    expect(tokens.status).toBe(200);
    const jwks = createRemoteJWKSet(new URL((await s.api('GET', '/.well-known/openid-configuration')).body.jwks_uri));
    return (await jwtVerify(tokens.body.id_token, jwks, { issuer: origin, audience: clientId })).payload;
  }

  it('adds a passkey on the account page, made by the authenticator for the issuer’s host', async () => {
    await addPasskey('Laptop');
    expect(await page.locator('ul.passkeys strong').allTextContents()).toEqual(['Laptop']);
    expect(await seriousViolations(page)).toEqual([]);
    const held = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(held.credentials).toHaveLength(1);
    expect(held.credentials[0]!.rpId).toBe('localhost');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'You are signed out' }).waitFor();
    // Sign-ins made before the sign-out (to the millisecond) are ended: move on from it.
    s.clock.advance(1000);
  });

  it('asks for the passkey after the password; the ID token’s amr holds pwd, swk and user', async () => {
    const claims = await authorize(async () => {
      await page.getByRole('heading', { name: 'Use your passkey' }).waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await page.getByRole('button', { name: 'Use a passkey' }).click();
      await page.getByRole('button', { name: 'Allow' }).click();
    });
    expect(claims.amr).toEqual(['pwd', 'swk', 'user']);
    expect((await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials[0]!.signCount).toBeGreaterThan(0);
    expect((await s.api('GET', '/v1/audit?action=end_user.passkey_used')).body.items).toHaveLength(1);
  });

  it('removes the passkey on the account page: the password is enough again', async () => {
    await page.goto(`${origin}/oauth/account`);
    await page.getByRole('button', { name: 'Remove the passkey Laptop' }).click();
    await page.getByText('The passkey is removed.').waitFor();
    expect(await page.locator('ul.passkeys').count()).toBe(0);
    await page.getByRole('button', { name: 'Sign out' }).click();
    s.clock.advance(1000);
    expect((await authorize(async () => {})).amr).toEqual(['pwd']);
  });

  it('forgets the passkey at an administrator’s reset', async () => {
    await addPasskey('Phone');
    await page.getByRole('button', { name: 'Sign out' }).click();
    s.clock.advance(1000);
    expect((await s.api('DELETE', `/v1/users/${userId}/second-factor`)).status).toBe(200);
    // The authenticator still holds its credential (the new one, for the same user, in place of the
    // first); the server asks for none.
    expect((await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials).toHaveLength(1);
    expect((await authorize(async () => {})).amr).toEqual(['pwd']);
  });

  it('ran the pages’ script under their CSP with no error', () => {
    expect(consoleErrors).toEqual([]);
  });
});
