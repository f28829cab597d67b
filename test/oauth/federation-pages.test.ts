import { createRemoteJWKSet, jwtVerify } from 'jose';
import { sql } from 'kysely';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../console/support/chromium.js';
import { DIALECTS } from '../support/databases.js';
import { startOAuthServer, type OAuthTestServer } from './support.js';
import { startUpstream, type Upstream } from './upstream-provider.js';

const CALLBACK_PATH = '/oauth/federation/callback';
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/**
 * "Sign in with …" on the device verification page and on the account page: node-oidc-provider on
 * loopback as the upstream, Chromium as the person's browser. A user made just in time by the
 * upstream (no password) approves a device and opens their account page; a provider of another
 * workspace, a resume target that is not well formed, and a pending sign-in whose target was
 * changed in the database are refused.
 */
describe.each(DIALECTS)('sign-in with an upstream provider on the device and account pages (%s)', (dialect) => {
  let s: OAuthTestServer;
  let up: Upstream;
  let tvId: string;
  let providerId: string;
  let otherWorkspace: string;
  let otherProviderId: string;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;

  beforeAll(async () => {
    s = await startOAuthServer(dialect);
    up = await startUpstream(s.url + CALLBACK_PATH);
    tvId = (await s.client({ name: 'Notes for TV', grantTypes: [DEVICE_GRANT], tokenEndpointAuthMethod: 'none' })).clientId;
    const provider = { name: 'Upstream', issuer: up.issuer, clientId: up.clientId, clientSecret: up.clientSecret };
    const made = await s.api('POST', '/v1/oauth/upstream-providers', provider);
    expect(made.status).toBe(201);
    providerId = made.body.providerId;
    const tenant = await s.api('POST', '/v1/workspaces', { name: 'tenant', rootKey: { name: 'tenant admin', permissions: ['*'] } });
    expect(tenant.status).toBe(201);
    otherWorkspace = tenant.body.workspace.id;
    expect(otherWorkspace).toMatch(/^ws_/);
    const other = await s.api('POST', '/v1/oauth/upstream-providers', { ...provider, name: 'Tenant IdP' }, tenant.body.rootKey.key);
    expect(other.status).toBe(201);
    otherProviderId = other.body.providerId;
    up.accounts.set('grace', { email: 'grace@example.com', email_verified: true, name: 'Grace Hopper' });
    browser = await launchChromium();
    page = await browser.context.newPage();
    page.setDefaultTimeout(10_000);
  });
  afterAll(async () => {
    await browser?.close();
    await up?.close();
    await s?.close();
  });

  /** At the upstream: its sign-in page (any password), then its consent page (shown once a session). */
  async function signInUpstream(login: string, link = 'Sign in with Upstream'): Promise<void> {
    await page.getByRole('link', { name: link }).click();
    await page.waitForURL((u) => u.toString().startsWith(up.issuer));
    await page.locator('input[name=login]').fill(login);
    await page.locator('input[name=password]').fill('whatever');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
  }

  const deviceAuthorization = async () => {
    const da = await s.form('/oauth/device_authorization', { client_id: tvId, scope: 'openid email' });
    expect(da.status).toBe(200);
    return da.body as { device_code: string; user_code: string };
  };
  const audit = async (action: string) => (await s.api('GET', `/v1/audit?action=${action}&limit=100`)).body.items as any[];
  const poll = (deviceCode: string) => s.form('/oauth/token', { grant_type: DEVICE_GRANT, device_code: deviceCode, client_id: tvId });
  const start = (q: Record<string, string>) =>
    fetch(`${s.url}/oauth/federation/start?${new URLSearchParams(q)}`, { redirect: 'manual' }).then(async (r) => ({
      status: r.status,
      location: r.headers.get('location'),
      text: await r.text(),
    }));

  it('lets a user made by the upstream approve a device from the verification page, and the device gets its tokens', async () => {
    const da = await deviceAuthorization();
    await page.goto(`${s.url}/oauth/device?user_code=${da.user_code}`);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Sign in to continue to Notes for TV' }).waitFor();
    // Only the device client's workspace's providers are offered.
    expect(await page.getByRole('link', { name: 'Sign in with Tenant IdP' }).count()).toBe(0);
    const back = page.waitForResponse((r) => r.url().startsWith(s.url + CALLBACK_PATH));
    await signInUpstream('grace');
    const callback = await back;
    expect(callback.status()).toBe(303);
    expect(callback.headers().location).toBe(`/oauth/device?user_code=${da.user_code}`);
    await page.getByRole('heading', { name: 'Connect a device to Notes for TV?' }).waitFor();
    await page.getByText('Signed in as grace@example.com.').waitFor();
    expect(await poll(da.device_code)).toMatchObject({ status: 400, body: { error: 'authorization_pending' } });
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.getByRole('heading', { name: 'Device connected' }).waitFor();
    s.clock.advance(6_000);
    const t = await poll(da.device_code);
    expect(t.status).toBe(200);
    expect(t.body.access_token).toBeTruthy();
    const { payload } = await jwtVerify(t.body.id_token, createRemoteJWKSet(new URL(s.url + '/oauth/jwks')), {
      issuer: s.url,
      audience: tvId,
    });
    expect(payload.amr).toEqual(['fed']);
    const grace = ((await s.api('GET', '/v1/users')).body.items as any[]).find((u) => u.email === 'grace@example.com');
    expect(payload.sub).toBe(grace.userId);
    // The sign-in is audited as one for the device's client.
    expect((await audit('end_user.signed_in'))[0]).toMatchObject({
      target: grace.userId,
      details: { clientId: tvId, amr: ['fed'], providerId },
    });
  });

  it('checks the user code again when the browser comes back: a wrong one is the code page', async () => {
    const wrong = await page.goto(`${s.url}/oauth/device?user_code=BBBB-BBBB`);
    expect(wrong?.status()).toBe(400);
    await page.getByRole('button', { name: 'Continue' }).waitFor();
  });

  it('opens the account page of a user made by the upstream', async () => {
    await page.context().clearCookies();
    await page.goto(`${s.url}/oauth/account?workspace=ws_default`);
    await page.getByRole('heading', { name: 'Sign in to continue to your account' }).waitFor();
    expect(await page.getByRole('link', { name: 'Sign in with Tenant IdP' }).count()).toBe(0);
    const back = page.waitForResponse((r) => r.url().startsWith(s.url + CALLBACK_PATH));
    await signInUpstream('grace');
    expect((await back).headers().location).toBe('/oauth/account?workspace=ws_default');
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    expect((await page.context().cookies(s.url)).some((c) => c.name.endsWith('tessera_end_user'))).toBe(true);
    await page.getByText('Signed in as grace@example.com.').waitFor();
    // On the account page, the sign-in is for no client.
    expect((await audit('end_user.signed_in'))[0]).toMatchObject({ details: { clientId: null, amr: ['fed'], providerId } });
    // The device Grace allowed is one of her apps.
    await page.getByText('Notes for TV').first().waitFor();
  });

  it('refuses a provider of another workspace, for the account page and for a device', async () => {
    const account = await start({ provider: otherProviderId, account: 'ws_default' });
    expect(account.status).toBe(400);
    expect(account.text).toContain('This sign-in option is not offered here.');
    const da = await deviceAuthorization();
    const device = await start({ provider: otherProviderId, device: da.user_code });
    expect(device.status).toBe(400);
    expect(device.text).toContain('This sign-in option is not offered here.');
    // The other workspace's own account page offers it.
    const theirs = await start({ provider: otherProviderId, account: otherWorkspace });
    expect(theirs.status).toBe(303);
    expect(theirs.location!.startsWith(up.issuer)).toBe(true);
    // And the right provider for the device starts.
    expect((await start({ provider: providerId, device: da.user_code })).status).toBe(303);
  });

  it('refuses a resume target that is not one Tessera knows: a URL, a wrong code, two targets, none', async () => {
    for (const q of [
      { account: 'https://evil.example/' },
      { account: 'ws_default/../x' },
      { device: 'BBBB-BBBB' },
      { device: 'https://evil.example/' },
      { account: 'ws_default', device: 'BBBB-BBBB' },
      { account: 'ws_default', request: 'client_id=x' },
      {},
    ]) {
      const r = await start({ provider: providerId, ...q });
      expect(r.status, JSON.stringify(q)).toBe(400);
      expect(r.location).toBeNull();
    }
  });

  it('refuses a pending sign-in whose resume target was changed to another workspace’s account page', async () => {
    await page.context().clearCookies();
    await page.goto(`${s.url}/oauth/account?workspace=ws_default`);
    await page.getByRole('link', { name: 'Sign in with Upstream' }).click();
    await page.waitForURL((u) => u.toString().startsWith(up.issuer));
    await sql`update oauth_federated_sign_ins set request = ${'account:' + otherWorkspace} where used_at is null`.execute(
      s.db.store.kysely,
    );
    const back = page.waitForResponse((r) => r.url().startsWith(s.url + CALLBACK_PATH));
    await page.locator('input[name=login]').fill('grace');
    await page.locator('input[name=password]').fill('whatever');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    const callback = await back;
    expect(callback.status()).toBe(400);
    await page.getByText('This sign-in option is not offered here.').waitFor();
    expect((await page.context().cookies(s.url)).some((c) => c.name.endsWith('tessera_end_user'))).toBe(false);
  });
});
