import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from '../console/support/axe.js';
import { launchChromium } from '../console/support/chromium.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * A key owner in Chromium: from the provider's link into the portal, a key created, seen listed
 * and verified, rolled, revoked, and back to the provider's app — each page checked by axe-core.
 */
describe('the portal in Chromium', () => {
  let s: TestServer;
  let app: Server;
  let returnUrl: string;
  let keyspaceId: string;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;

  const verify = async (key: string) => (await s.api('POST', '/v1/keys/verify', { key })).body;
  const shownKey = () => page.getByLabel('Key', { exact: true }).inputValue();
  const keyRows = () => page.getByRole('table', { name: 'Keys' }).getByRole('row', { name: /Production server/ });

  beforeAll(async () => {
    s = await startTestServer('sqlite');
    app = createServer((_q, r) => r.end('<!doctype html><html lang="en"><title>Acme</title><h1>Back at Acme</h1></html>'));
    await new Promise<void>((done) => app.listen(0, '127.0.0.1', done));
    returnUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}/settings/api`;
    keyspaceId = (await s.api('POST', '/v1/keyspaces', { name: 'Acme production', prefix: 'acme' })).body.id;
    await s.api('PATCH', `/v1/keyspaces/${keyspaceId}/portal`, {
      appName: 'Acme',
      allowedScopes: ['orders:read', 'orders:write'],
      brandColor: '#0a6b44',
    });
    browser = await launchChromium();
    page = await browser.context.newPage();
    page.setDefaultTimeout(8000);
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((done) => app?.close(done));
    await s?.close();
  });

  it('opens the link, creates, lists, rolls and revokes a key, and goes back to the app', async () => {
    const link = await s.api('POST', '/v1/portal/sessions', { ownerId: 'cust_42', keyspaceId, returnUrl });
    expect(link.status).toBe(201);
    await page.goto(link.body.url);
    await page.getByRole('heading', { name: 'Your API keys for Acme' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/portal'); // the token is gone from the address bar
    expect(await page.getByText('You have no keys yet.').isVisible()).toBe(true);
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByLabel('Name').fill('Production server');
    await page.getByLabel('orders:read').check();
    await page.getByLabel('Expires after').selectOption({ label: '30 days' });
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByRole('heading', { name: 'Your new key: Production server' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    const first = await shownKey();
    const verified = await verify(first);
    expect(verified).toMatchObject({ valid: true, ownerId: 'cust_42', scopes: ['orders:read'] });
    expect(await keyRows().count()).toBe(1);
    expect(await keyRows().getByRole('cell').nth(3).textContent()).toBe('Active');
    const usage = page.getByRole('table', { name: 'Verifications per day' }).getByRole('row', { name: /Production server/ });
    expect(await usage.getByRole('cell').count()).toBe(7);

    await page.getByRole('button', { name: 'Roll Production server' }).first().click();
    await page.getByRole('heading', { name: 'Your rolled key: Production server' }).waitFor();
    const second = await shownKey();
    expect(second).not.toBe(first);
    expect(await verify(second)).toMatchObject({ valid: true, ownerId: 'cust_42' });
    expect(await keyRows().count()).toBe(2);
    expect(await keyRows().first().getByRole('cell').nth(3).textContent()).toBe('Active'); // newest first
    expect(await keyRows().last().getByRole('cell').nth(3).textContent()).toBe('Active until it expires (rolled)');

    const rolledTo = (await verify(second)).keyId as string;
    await page.locator(`form[action="/portal/keys/${rolledTo}/revoke"] button`).click();
    await page.getByRole('status').waitFor();
    expect(await page.getByRole('status').textContent()).toBe('Revoked Production server: it no longer works.');
    expect(await verify(second)).toMatchObject({ valid: false, code: 'REVOKED' });
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole('link', { name: 'Back to Acme' }).click();
    await page.getByRole('heading', { name: 'Back at Acme' }).waitFor();
    expect(page.url()).toBe(returnUrl);
  });

  it('shows a clear page for a link used twice', async () => {
    const link = await s.api('POST', '/v1/portal/sessions', { ownerId: 'cust_43', keyspaceId, returnUrl });
    await page.goto(link.body.url);
    await page.getByRole('heading', { name: 'Your API keys for Acme' }).waitFor();
    const again = await page.goto(link.body.url);
    expect(again?.status()).toBe(410);
    await page.getByRole('heading', { name: 'This portal link cannot be used' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
  });
});
