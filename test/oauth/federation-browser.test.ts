import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../console/support/chromium.js';
import { DIALECTS } from '../support/databases.js';
import { startOAuthServer, type OAuthTestServer } from './support.js';
import { startUpstream, type Upstream } from './upstream-provider.js';

const CALLBACK_PATH = '/oauth/federation/callback';

/**
 * Sign-in with an upstream OpenID Provider, end to end: node-oidc-provider on loopback as the
 * upstream, Chromium as the person's browser. Client → Tessera's authorization endpoint → "Sign in
 * with Upstream" → the upstream's sign-in and consent → back to Tessera → consent → code → tokens,
 * the ID token checked with jose. Then what must be refused: an existing account whose email the
 * upstream has not verified, a forged state, another browser's state, a replayed callback.
 */
describe.each(DIALECTS)('sign-in with an upstream provider in Chromium (%s)', (dialect) => {
  let s: OAuthTestServer;
  let up: Upstream;
  let app: Server;
  let redirectUri: string;
  let clientId: string;
  let providerId: string;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  /** The callbacks the browser was sent to, as the upstream sent them; the states Tessera sent upstream. */
  const callbacks: string[] = [];
  const states: string[] = [];

  beforeAll(async () => {
    s = await startOAuthServer(dialect);
    up = await startUpstream(s.url + CALLBACK_PATH);
    app = createServer((_q, r) => r.end('<!doctype html><html lang="en"><title>Notes</title><h1>Back in the app</h1></html>'));
    await new Promise<void>((done) => app.listen(0, '127.0.0.1', done));
    redirectUri = `http://127.0.0.1:${(app.address() as AddressInfo).port}/callback`;
    clientId = (
      await s.client({ name: 'Notes', grantTypes: ['authorization_code'], redirectUris: [redirectUri], tokenEndpointAuthMethod: 'none' })
    ).clientId;
    const made = await s.api('POST', '/v1/oauth/upstream-providers', {
      name: 'Upstream',
      issuer: up.issuer,
      clientId: up.clientId,
      clientSecret: up.clientSecret,
    });
    expect(made.status).toBe(201);
    providerId = made.body.providerId;
    browser = await launchChromium();
    page = await browser.context.newPage();
    page.setDefaultTimeout(10_000);
    page.on('request', (r) => {
      if (r.url().startsWith(s.url + CALLBACK_PATH)) callbacks.push(r.url());
      const state = r.url().startsWith(up.issuer) ? new URL(r.url()).searchParams.get('state') : null;
      if (state !== null) states.push(state);
    });
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((done) => app?.close(done));
    await up?.close();
    await s?.close();
  });

  /** Starts at the client: the authorization request, with PKCE and a nonce. */
  async function authorize(): Promise<{ verifier: string; nonce: string }> {
    const verifier = oidc.randomPKCECodeVerifier();
    const nonce = oidc.randomNonce();
    const params = new URLSearchParams({
      client_id: clientId,
      response_type: 'code',
      redirect_uri: redirectUri,
      scope: 'openid email profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: 'app-state',
      nonce,
    });
    await page.goto(`${s.url}/oauth/authorize?${params}`);
    await page.getByRole('heading', { name: 'Sign in to continue to Notes' }).waitFor();
    return { verifier, nonce };
  }

  /** At the upstream: its sign-in page (any password), then its consent page. */
  async function signInUpstream(login: string): Promise<void> {
    await page.getByRole('link', { name: 'Sign in with Upstream' }).click();
    await page.waitForURL((u) => u.toString().startsWith(up.issuer));
    await page.locator('input[name=login]').fill(login);
    await page.locator('input[name=password]').fill('whatever');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
  }

  /** Allows at Tessera's consent page; the client redeems the code and checks the ID token with jose. */
  async function allowAndRedeem(o: { verifier: string; nonce: string }, consent = true) {
    if (consent) {
      await page.getByRole('heading', { name: 'Notes would like to' }).waitFor();
      await page.getByRole('button', { name: 'Allow' }).click();
    }
    await page.waitForURL((u) => u.toString().startsWith(redirectUri));
    const back = new URL(page.url());
    expect(back.searchParams.get('state')).toBe('app-state');
    expect(back.searchParams.get('iss')).toBe(s.url);
    const t = await s.form('/oauth/token', {
      grant_type: 'authorization_code',
      code: back.searchParams.get('code')!,
      redirect_uri: redirectUri,
      client_id: clientId,
      code_verifier: o.verifier,
    });
    expect(t.status).toBe(200);
    const { payload } = await jwtVerify(t.body.id_token, createRemoteJWKSet(new URL(s.url + '/oauth/jwks')), {
      issuer: s.url,
      audience: clientId,
    });
    expect(payload.nonce).toBe(o.nonce);
    expect(payload.amr).toEqual(['fed']);
    expect(payload.acr).toBe('urn:tessera:acr:fed');
    // Tessera's sign-in time (its clock stands still in these tests), not the upstream's.
    expect(payload.auth_time).toBe(Math.floor(s.clock.now() / 1000));
    return payload;
  }

  const audit = async (action: string) => (await s.api('GET', `/v1/audit?action=${action}&limit=100`)).body.items as any[];

  it('makes the user just in time at their first sign-in, and the client gets its tokens', async () => {
    up.accounts.set('grace', { email: 'Grace@Example.com', email_verified: true, name: 'Grace Hopper' });
    const o = await authorize();
    await signInUpstream('grace');
    const claims = await allowAndRedeem(o);
    const users = (await s.api('GET', '/v1/users')).body.items as any[];
    const grace = users.find((u) => u.email === 'grace@example.com');
    expect(grace).toMatchObject({ emailVerified: true, name: 'Grace Hopper' });
    expect(claims.sub).toBe(grace.userId);
    expect((await audit('end_user.created')).find((e) => e.target === grace.userId).details).toEqual({
      email: 'grace@example.com',
      providerId,
    });
    expect((await audit('end_user.linked'))[0]).toMatchObject({ target: grace.userId, details: { providerId, subject: 'grace' } });
    expect((await audit('end_user.signed_in'))[0]).toMatchObject({ target: grace.userId, details: { amr: ['fed'], providerId, clientId } });
  });

  it('refuses a callback replayed in the same browser', async () => {
    expect(callbacks.length).toBe(1);
    const res = await page.goto(callbacks[0]!);
    expect(res?.status()).toBe(400);
    await page.getByText('This sign-in was completed already.').waitFor();
    expect((await audit('end_user.sign_in_failed'))[0]).toMatchObject({ target: null, details: { reason: 'state_used' } });
  });

  it('gives a user made at a federated sign-in no password', async () => {
    await page.context().clearCookies();
    await authorize();
    await page.getByLabel('Email').fill('grace@example.com');
    await page.getByLabel('Password').fill('');
    await page.getByLabel('Password').fill('correct horse battery staple');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    expect((await audit('end_user.sign_in_failed'))[0]).toMatchObject({ details: { reason: 'password' } });
  });

  it('signs in the same user again by the linked account, with no new user', async () => {
    await page.context().clearCookies();
    const before = (await s.api('GET', '/v1/users')).body.items.length;
    const o = await authorize();
    await signInUpstream('grace');
    // Grace allowed Notes before: no consent page this time.
    const claims = await allowAndRedeem(o, false);
    expect((await s.api('GET', '/v1/users')).body.items.length).toBe(before);
    expect((await s.api('GET', `/v1/users/${claims.sub}`)).body.email).toBe('grace@example.com');
    expect((await audit('end_user.linked')).length).toBe(1);
  });

  it('links an existing user by an email the upstream says is verified', async () => {
    const ada = await s.api('POST', '/v1/users', { email: 'ada@example.com', password: 'correct horse battery staple', name: 'Ada' });
    expect(ada.status).toBe(201);
    up.accounts.set('ada-upstream', { email: 'ada@example.com', email_verified: true });
    await page.context().clearCookies();
    const o = await authorize();
    await signInUpstream('ada-upstream');
    const claims = await allowAndRedeem(o);
    expect(claims.sub).toBe(ada.body.userId);
    expect((await audit('end_user.linked')).find((e) => e.target === ada.body.userId).details).toEqual({
      providerId,
      subject: 'ada-upstream',
      email: 'ada@example.com',
    });
  });

  it('refuses to link an existing user when the upstream has not verified the email', async () => {
    const bob = await s.api('POST', '/v1/users', { email: 'bob@example.com', password: 'correct horse battery staple' });
    up.accounts.set('bob-upstream', { email: 'bob@example.com', email_verified: false });
    await page.context().clearCookies();
    await authorize();
    const answer = page.waitForResponse((r) => r.url().startsWith(s.url + CALLBACK_PATH));
    await signInUpstream('bob-upstream');
    expect((await answer).status()).toBe(403);
    await page.getByText('has not verified that the email is yours').waitFor();
    expect((await audit('end_user.linked')).some((e) => e.target === bob.body.userId)).toBe(false);
    expect((await audit('end_user.sign_in_failed'))[0]).toMatchObject({ details: { providerId, reason: 'email_not_verified' } });
  });

  it('refuses a forged state, and another browser’s', async () => {
    await page.context().clearCookies();
    await authorize();
    await page.getByRole('link', { name: 'Sign in with Upstream' }).click();
    await page.waitForURL((u) => u.toString().startsWith(up.issuer));
    const state = states[states.length - 1]!;
    const mine = (await page.context().cookies(s.url)).find((c) => c.name === 'tessera_federation')!.value;
    const callback = (q: Record<string, string>, cookie: string) =>
      fetch(`${s.url}${CALLBACK_PATH}?${new URLSearchParams({ code: 'x', iss: up.issuer, ...q })}`, { headers: { cookie } });
    // A state Tessera never sent.
    const forged = await callback({ state: 'A'.repeat(43) }, `tessera_federation=${mine}`);
    expect(forged.status).toBe(400);
    expect(await forged.text()).toContain('This sign-in is not known');
    // This browser's state, brought back by another browser (login CSRF), or with no cookie.
    const other = await callback({ state }, `tessera_federation=${'B'.repeat(32)}`);
    expect(other.status).toBe(400);
    expect(await other.text()).toContain('started in another browser');
    expect((await callback({ state }, '')).status).toBe(400);
    // Each refusal is audited like a failed password; nothing says whose sign-in it was.
    const refusals = (await audit('end_user.sign_in_failed')).slice(0, 3).reverse();
    expect(refusals.map((e) => [e.actor, e.workspaceId, e.target, e.details])).toEqual([
      ['end_user:unknown', 'ws_default', null, { clientId: null, reason: 'state_unknown' }],
      ['end_user:unknown', 'ws_default', null, { clientId: null, reason: 'state_other_browser' }],
      ['end_user:unknown', 'ws_default', null, { clientId: null, reason: 'state_other_browser' }],
    ]);
    // Neither spent it: the browser that started finishes.
    await page.locator('input[name=login]').fill('grace');
    await page.locator('input[name=password]').fill('whatever');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    // Grace allowed Notes before: straight back to the client with a code.
    await page.waitForURL((u) => u.toString().startsWith(redirectUri));
    expect(new URL(page.url()).searchParams.get('code')).toMatch(/^tessera_ac_/);
  });
});
