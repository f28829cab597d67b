import { createHash } from 'node:crypto';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInProcess } from '../support/cli.js';
import { DIALECTS } from '../support/databases.js';
import { BrowserJar, type Page } from './browser-jar.js';
import { startOAuthServer, type OAuthTestServer } from './support.js';

const BRAND = { name: 'Notes & Co', logoUrl: 'https://cdn.notes.example/logo.png?v="2"', color: '#0b6e4f' };

/** Every style sheet of a page is allowed by its hash in the page's CSP, and nothing else is. */
function stylesAllowed(page: Page): boolean {
  const csp = page.headers.get('content-security-policy')!;
  const hashes = [...page.html.matchAll(/<style>([^<]*)<\/style>/g)].map(
    ([, css]) => `'sha256-${createHash('sha256').update(css!).digest('base64')}'`,
  );
  return / style-src ([^;]+);/.exec(csp)![1] === hashes.join(' ');
}

/** A workspace's brand (name, logo, colour) on its hosted pages, set through the API and the CLI. */
describe.each(DIALECTS)('workspace branding of the hosted pages (%s)', (dialect) => {
  let s: OAuthTestServer;
  let clientId: string;
  beforeAll(async () => {
    s = await startOAuthServer(dialect);
    await s.api('POST', '/v1/users', { email: 'ada@example.com', password: 'correct horse battery staple' });
    clientId = (
      await s.client({
        name: 'Notes',
        grantTypes: ['authorization_code', 'urn:ietf:params:oauth:grant-type:device_code'],
        redirectUris: ['http://127.0.0.1/cb'],
        tokenEndpointAuthMethod: 'none',
      })
    ).clientId;
  });
  afterAll(() => s.close());

  it('is set through the API with the colour and the logo checked strictly, audited, and needs oauth:manage', async () => {
    expect((await s.api('GET', '/v1/workspace/branding')).body).toEqual({ name: null, logoUrl: null, color: null });
    for (const bad of [{ color: 'red' }, { color: '#12345g' }, { color: '#0b6e4f;background:url(x)' }, { color: '#0b6e4' }])
      expect((await s.api('PATCH', '/v1/workspace/branding', bad)).status).toBe(400);
    for (const logoUrl of ['http://notes.example/logo.png', 'javascript:alert(1)', 'https://user:pw@notes.example/l.png', '/logo.png'])
      expect((await s.api('PATCH', '/v1/workspace/branding', { logoUrl })).status).toBe(400);
    expect((await s.api('PATCH', '/v1/workspace/branding', { name: '' })).status).toBe(400);
    const reader = (await s.api('POST', '/v1/root-keys', { name: 'reader', permissions: ['end_users:read'] })).body.key;
    expect((await s.api('PATCH', '/v1/workspace/branding', BRAND, reader)).status).toBe(403);
    const set = await s.api('PATCH', '/v1/workspace/branding', BRAND);
    expect(set.status).toBe(200);
    expect(set.body).toEqual(BRAND);
    // A field left out stays; null clears one.
    expect((await s.api('PATCH', '/v1/workspace/branding', { color: null })).body).toEqual({ ...BRAND, color: null });
    expect((await s.api('PATCH', '/v1/workspace/branding', { color: BRAND.color })).body).toEqual(BRAND);
    const audit = (await s.api('GET', '/v1/audit?action=workspace.branding_updated')).body.items;
    expect(audit).toHaveLength(3);
    expect(audit[0]).toMatchObject({ target: 'ws_default', details: BRAND });
  });

  it('shows on the sign-in, consent, device and account pages, under a CSP that allows exactly its style and logo', async () => {
    const jar = new BrowserJar();
    const params = new URLSearchParams({
      client_id: clientId,
      response_type: 'code',
      redirect_uri: 'http://127.0.0.1/cb',
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    const signIn = await jar.get(`${s.url}/oauth/authorize?${params}`);
    const consent = await jar.submit(signIn, s.url, { email: 'ada@example.com', password: 'correct horse battery staple' });
    expect(consent.has('button', 'Allow')).toBe(true);
    const da = await s.form('/oauth/device_authorization', { client_id: clientId, scope: 'openid' });
    const device = await jar.submit(await jar.get(da.body.verification_uri), s.url, { user_code: da.body.user_code });
    expect(device.html).toContain('Connect a device to Notes?');
    const account = await jar.get(`${s.url}/oauth/account`);
    expect(account.html).toContain('Your account');
    for (const page of [signIn, consent, device, account]) {
      expect(page.html).toContain(
        '<header class="brand"><img class="brand-logo" src="https://cdn.notes.example/logo.png?v=&quot;2&quot;" alt=""><p class="brand-name">Notes &amp; Co</p></header>',
      );
      expect(page.html).toContain('button{background:#0b6e4f;border-color:#0b6e4f;color:#ffffff}');
      expect(page.headers.get('content-security-policy')).toContain(' img-src https://cdn.notes.example;');
      expect(stylesAllowed(page)).toBe(true);
    }
    // The code page knows no workspace yet: Tessera's own look.
    const codePage = await jar.get(da.body.verification_uri);
    expect(codePage.html).not.toContain('class="brand"');
    expect(codePage.headers.get('content-security-policy')).not.toContain('img-src');
  });

  it('is read and set with tessera branding', async () => {
    process.env.TESSERA_URL = s.url;
    process.env.TESSERA_ROOT_KEY = s.rootKey;
    try {
      const set = await runInProcess('branding', 'set', '--brand-color', '#123', '--logo-url', '', '--json');
      expect(set.code).toBe(0);
      expect(JSON.parse(set.out)).toEqual({ name: BRAND.name, logoUrl: null, color: '#123' });
      expect((await runInProcess('branding', 'set', '--brand-color', 'blue')).code).toBe(1);
      expect((await runInProcess('branding', 'set')).code).toBe(2);
      expect((await runInProcess('branding')).out).toContain('#123');
    } finally {
      delete process.env.TESSERA_URL;
      delete process.env.TESSERA_ROOT_KEY;
    }
  });
});
