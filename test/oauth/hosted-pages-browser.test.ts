import * as oidc from 'openid-client';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from '../console/support/axe.js';
import { startHostedBrowser, type HostedBrowser } from './hosted-browser.js';
import type { OAuthTestServer } from './support.js';

const PASSWORD = 'correct horse battery staple';

/**
 * The hosted pages — sign-in, consent, the device page and sign-out — driven in Chromium against a
 * real server, each checked by axe-core: no serious or critical violation of WCAG 2.1 A and AA.
 */
describe('the hosted pages in Chromium, accessible', () => {
  let hosted: HostedBrowser;
  let s: OAuthTestServer;
  let callback: string;
  let clientId: string;
  let page: Page;

  const violations = () => seriousViolations(page);

  beforeAll(async () => {
    hosted = await startHostedBrowser();
    ({ s, callback, page } = hosted);
    expect((await s.api('POST', '/v1/users', { email: 'ada@example.com', password: PASSWORD, name: 'Ada' })).status).toBe(201);
    clientId = (
      await s.client({
        name: 'Notes',
        grantTypes: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
        redirectUris: [callback],
        tokenEndpointAuthMethod: 'none',
      })
    ).clientId;
  });
  afterAll(() => hosted?.close());

  it('signs in and consents in the browser, and the app gets its code', async () => {
    const verifier = oidc.randomPKCECodeVerifier();
    const params = new URLSearchParams({
      client_id: clientId,
      response_type: 'code',
      redirect_uri: callback,
      scope: 'openid profile offline_access',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: 'st4te',
    });
    await page.goto(`${s.url}/oauth/authorize?${params}`);
    await page.getByRole('heading', { name: 'Sign in to continue to Notes' }).waitFor();
    expect(await violations()).toEqual([]);
    await page.getByLabel('Email').fill('ada@example.com');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toBe('The email or password is not right.');
    expect(await violations()).toEqual([]);
    // The email typed stays: only the password is asked again.
    expect(await page.getByLabel('Email').inputValue()).toBe('ada@example.com');
    expect(await page.getByLabel('Password').inputValue()).toBe('');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Notes would like to' }).waitFor();
    expect(await violations()).toEqual([]);
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL((u) => u.toString().startsWith(callback));
    const back = new URL(page.url());
    expect(back.searchParams.get('code')).toMatch(/^tessera_ac_/);
    expect(back.searchParams.get('state')).toBe('st4te');
    expect(back.searchParams.get('iss')).toBe(s.url);
  });

  it('connects a device on the device page, signed in already', async () => {
    const da = await s.form('/oauth/device_authorization', { client_id: clientId, scope: 'openid' });
    expect(da.status).toBe(200);
    await page.goto(da.body.verification_uri);
    await page.getByRole('heading', { name: 'Connect a device' }).waitFor();
    expect(await violations()).toEqual([]);
    await page.getByLabel('Code').fill(da.body.user_code);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Connect a device to Notes?' }).waitFor();
    expect(await page.locator('strong').textContent()).toBe(da.body.user_code);
    expect(await violations()).toEqual([]);
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.getByRole('heading', { name: 'Device connected' }).waitFor();
    expect(await violations()).toEqual([]);
  });

  it('asks before signing out, and signs out', async () => {
    await page.goto(`${s.url}/oauth/logout?client_id=${clientId}`);
    await page.getByRole('heading', { name: 'Sign out?' }).waitFor();
    expect(await violations()).toEqual([]);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'You are signed out' }).waitFor();
    expect(await violations()).toEqual([]);
    // Signed out: the authorization endpoint asks for the password again.
    const verifier = oidc.randomPKCECodeVerifier();
    const params = new URLSearchParams({
      client_id: clientId,
      response_type: 'code',
      redirect_uri: callback,
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    await page.goto(`${s.url}/oauth/authorize?${params}`);
    await page.getByRole('heading', { name: 'Sign in to continue to Notes' }).waitFor();
  });
});
