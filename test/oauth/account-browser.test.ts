import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base32Decode, totp } from '../../packages/core/src/totp/totp.js';
import { seriousViolations } from '../console/support/axe.js';
import { startHostedBrowser, type HostedBrowser } from './hosted-browser.js';
import type { OAuthTestServer } from './support.js';

const PASSWORD = 'correct horse battery staple';

/**
 * An end user in Chromium: enrols an authenticator app from the account page, signs in to an app
 * with the second factor (`amr` then holds `otp`), and revokes the app from the account page. Every
 * page is checked by axe-core: no serious or critical violation of WCAG 2.1 A and AA.
 */
describe('the account page and the second factor in Chromium', () => {
  let hosted: HostedBrowser;
  let s: OAuthTestServer;
  let callback: string;
  let clientId: string;
  let userId: string;
  let secret: Buffer;
  let enrolledAt: number;
  let page: Page;

  const violations = () => seriousViolations(page);
  const code = () => totp(secret, s.clock.now());

  beforeAll(async () => {
    hosted = await startHostedBrowser();
    ({ s, callback, page } = hosted);
    const created = await s.api('POST', '/v1/users', { email: 'ada@example.com', password: PASSWORD, name: 'Ada' });
    expect(created.status).toBe(201);
    userId = created.body.userId;
    // The workspace's brand: every page below shows it, and axe checks it too (its colour's contrast).
    const brand = { name: 'Notes & Co', logoUrl: 'https://logo.invalid/notes.png', color: '#0b6e4f' };
    expect((await s.api('PATCH', '/v1/workspace/branding', brand)).status).toBe(200);
    clientId = (
      await s.client({ name: 'Notes', grantTypes: ['authorization_code'], redirectUris: [callback], tokenEndpointAuthMethod: 'none' })
    ).clientId;
  });
  afterAll(() => hosted?.close());

  it('enrols an authenticator app from the account page, confirmed by a code', async () => {
    await page.goto(`${s.url}/oauth/account`);
    await page.getByRole('heading', { name: 'Sign in to continue to your account' }).waitFor();
    // The brand's style sheet applied: the CSP allowed it by its hash.
    expect(await page.locator('.brand-name').textContent()).toBe('Notes & Co');
    expect(await page.getByRole('button', { name: 'Sign in' }).evaluate((b) => getComputedStyle(b).backgroundColor)).toBe(
      'rgb(11, 110, 79)',
    );
    expect(await violations()).toEqual([]);
    await page.getByLabel('Email').fill('ada@example.com');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    expect(await page.getByText('You have not allowed any app to act for you.').count()).toBe(1);
    expect(await violations()).toEqual([]);
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    await page.getByRole('heading', { name: 'Set up an authenticator app' }).waitFor();
    expect(await violations()).toEqual([]);
    const shown = (await page.locator('#totp_secret').textContent())!;
    const uri = new URL((await page.getByRole('link').getAttribute('href'))!);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.searchParams.get('secret')).toBe(shown.replace(/ /g, ''));
    secret = base32Decode(shown);
    await page.getByLabel('Code').fill(String((Number(code()) + 1) % 1_000_000).padStart(6, '0'));
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('alert').waitFor();
    expect(await violations()).toEqual([]);
    // The same secret is offered again after a wrong code.
    expect(await page.locator('#totp_secret').textContent()).toBe(shown);
    enrolledAt = s.clock.now();
    await page.getByLabel('Code').fill(code());
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByText('Your sign-in now asks for a code from your authenticator app.').first().waitFor();
    expect((await s.api('GET', `/v1/users/${userId}`)).body.secondFactor).toBe(true);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'You are signed out' }).waitFor();
    // Sign-ins made before the sign-out (to the millisecond) are ended: move on from it.
    s.clock.advance(1000);
  });

  it('asks for the code after the password, and the ID token says so in amr', async () => {
    const verifier = oidc.randomPKCECodeVerifier();
    const params = new URLSearchParams({
      client_id: clientId,
      response_type: 'code',
      redirect_uri: callback,
      scope: 'openid profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    await page.goto(`${s.url}/oauth/authorize?${params}`);
    await page.getByLabel('Email').fill('ada@example.com');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Enter the code from your authenticator app' }).waitFor();
    expect(await violations()).toEqual([]);
    // The code of the step the enrolment used is spent: a replay is refused.
    await page.getByLabel('Code').fill(totp(secret, enrolledAt));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toBe('That code is not right, or it was used already.');
    expect(await violations()).toEqual([]);
    s.clock.advance(30_000);
    await page.getByLabel('Code').fill(code());
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'Notes would like to' }).waitFor();
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL((u) => u.toString().startsWith(callback));
    const tokens = await s.form('/oauth/token', {
      grant_type: 'authorization_code',
      code: new URL(page.url()).searchParams.get('code')!,
      redirect_uri: callback,
      client_id: clientId,
      code_verifier: verifier,
    });
    expect(tokens.status).toBe(200);
    expect(decodeJwt(tokens.body.id_token).amr).toEqual(['pwd', 'otp']);
  });

  it('lists the app on the account page, and revokes it', async () => {
    await page.goto(`${s.url}/oauth/account`);
    await page.getByRole('heading', { name: 'Apps you allowed' }).waitFor();
    expect(await page.locator('ul.apps strong').allTextContents()).toEqual(['Notes']);
    expect(await violations()).toEqual([]);
    await page.getByRole('button', { name: 'Revoke Notes' }).click();
    await page.getByText('The app can no longer act for you.').waitFor();
    expect(await page.locator('ul.apps').count()).toBe(0);
    expect(await violations()).toEqual([]);
    expect((await s.api('GET', `/v1/users/${userId}/grants`)).body.items).toEqual([]);
  });
});
