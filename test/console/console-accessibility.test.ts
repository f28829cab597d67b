import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from './support/axe.js';
import { launchChromium } from './support/chromium.js';
import { CookieClient, codeFor, startConsoleServer, type ConsoleServer } from './support/console-server.js';
import { TEST_DATABASE_URL } from '../support/databases.js';

const OWNER = 'owner@example.test';
const PASSWORD = 'a long console password';

/**
 * Every page of the console, with something on it, checked by axe-core in Chromium: no serious
 * or critical violation of WCAG 2.1 A and AA (the rules axe tags `wcag2a`, `wcag2aa`, `wcag21a`,
 * `wcag21aa`), in the wide layout and in a narrow one. A violation found names its rule and the
 * elements, so the failure says what to fix.
 */
describe('the console is accessible (axe-core in Chromium)', () => {
  let server: ConsoleServer;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  let session: string;
  let billingKey: string;
  let deletedKey: string;

  const violations = () => seriousViolations(page);
  const open = async (path: string, heading: string | RegExp) => {
    await page.goto('about:blank');
    await page.goto(`${server.url}/console/#/${path}`);
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
    // Lists and charts load after the heading; wait until nothing is loading.
    await expect.poll(() => page.locator('[aria-busy="true"]').count()).toBe(0);
  };

  beforeAll(async () => {
    server = await startConsoleServer();
    await server.createUser(OWNER, PASSWORD, 'owner');
    const c = new CookieClient(server.url);
    await c.call('POST', '/console/api/login', { email: OWNER, password: PASSWORD });
    const enrol = await c.call('POST', '/console/api/enrolment');
    expect((await c.call('POST', '/console/api/enrolment/confirm', { code: codeFor(enrol.body.secret, server.clock) })).status).toBe(200);
    session = c.cookie!;
    // A second workspace the owner reaches, and a user given it: the header's switcher and the users' reach forms show.
    const staging = await c.call('POST', '/v1/workspaces', { name: 'Staging' });
    expect(staging.status).toBe(201);
    const reacher = { email: 'staging@example.test', password: PASSWORD, role: 'viewer', otherWorkspaceIds: [staging.body.workspace.id] };
    expect((await c.call('POST', '/console/api/users', reacher)).status).toBe(201);

    // Something on every page: keys in each state, a decoy, a finding, a secret, a client, a webhook.
    const keyspaceId = (await server.api('POST', '/v1/keyspaces', { name: 'Production', prefix: 'sk_live' })).body.id as string;
    const keys: string[] = [];
    for (const name of ['Billing service', 'Mobile app', 'Nightly export']) {
      const r = await server.api('POST', '/v1/keys', { keyspaceId, name, ownerId: 'acme', scopes: ['invoices:read'] });
      expect(r.status).toBe(201);
      keys.push(r.body.keyId);
    }
    expect((await server.api('PATCH', `/v1/keys/${keys[1]}`, { enabled: false })).status).toBe(200);
    billingKey = keys[0]!;
    // A key reported leaked: quarantined, for the suspensions page.
    const leaky = await server.api('POST', '/v1/keys', { keyspaceId, name: 'Leaky script', ownerId: 'acme' });
    expect((await server.api('POST', '/v1/keys/leaked', { keys: [leaky.body.key], source: 'a paste site' })).status).toBe(200);
    expect(
      (
        await server.api('POST', '/v1/keys/verify', {
          key: (await server.api('POST', '/v1/keys', { keyspaceId, name: 'Used once' })).body.key,
        })
      ).status,
    ).toBe(200);
    const revoked = await server.api('POST', '/v1/keys', { keyspaceId, name: 'Old integration' });
    expect((await server.api('POST', `/v1/keys/${revoked.body.keyId}/revoke`, {})).status).toBe(200);
    // A revoked key presented: the dead-key detector's finding, for the anomalies page.
    expect((await server.api('POST', '/v1/keys/verify', { key: revoked.body.key })).body.code).toBe('REVOKED');
    expect((await server.api('POST', '/v1/honeytokens', { keyspaceId, name: 'Payments backup' })).status).toBe(201);
    expect((await server.api('PUT', '/v1/secrets/payments/stripe', { value: 'sk_live_not_a_real_secret' })).status).toBe(200);
    expect(
      (await server.api('POST', '/v1/oauth/clients', { name: 'Reporting', grantTypes: ['client_credentials'], scopes: ['reports:read'] }))
        .status,
    ).toBe(201);
    expect((await server.api('POST', '/v1/users', { email: 'ada@example.test', password: 'correct horse battery staple' })).status).toBe(
      201,
    );
    const routes = {
      keyHeader: 'x-api-key',
      rules: [{ methods: ['GET'], path: '/orders/**', scopes: 'orders:read' }, { path: '/status' }],
    };
    expect((await server.api('PUT', `/v1/keyspaces/${keyspaceId}/gateway-routes`, routes)).status).toBe(200);
    deletedKey = (await server.api('POST', '/v1/keys', { keyspaceId, name: 'Gone soon' })).body.keyId;
    expect((await server.api('DELETE', `/v1/keys/${deletedKey}`)).status).toBe(204);
    // A connection to the suite's PostgreSQL (it trusts local logins) and a role, for the databases page.
    const db = new URL(TEST_DATABASE_URL);
    const connection = { host: db.hostname, port: Number(db.port || 5432), database: db.pathname.slice(1), tlsMode: 'disable' };
    expect(
      (await server.api('PUT', '/v1/databases/connections/orders', { ...connection, username: db.username, password: 'unused' })).status,
    ).toBe(200);
    const creationStatements = 'CREATE ROLE {{name}} LOGIN PASSWORD {{password}} VALID UNTIL {{expiration}};';
    expect((await server.api('PUT', '/v1/databases/roles/readonly', { connection: 'orders', creationStatements })).status).toBe(200);
    await server.services.monitoring.settle();

    browser = await launchChromium();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('has no serious violation on the sign-in page', async () => {
    await page.goto(`${server.url}/console/`);
    await page.getByRole('heading', { level: 1 }).waitFor();
    expect(await violations()).toEqual([]);
  });

  const pages: [string, string | RegExp][] = [
    ['overview', 'Overview'],
    ['keys', 'Keys'],
    ['analytics', 'Analytics'],
    ['anomalies', 'Anomalies'],
    ['suspensions', 'Suspensions'],
    ['hygiene', 'Hygiene'],
    ['secrets', 'Secrets'],
    ['oauth-clients', 'OAuth clients'],
    ['end-users', 'End users'],
    ['gateway', 'Gateway routes'],
    ['databases', 'Databases'],
    ['root-keys', 'Root keys'],
    ['workspaces', 'Workspaces'],
    ['audit', 'Audit log'],
    ['settings', 'Settings'],
  ];

  describe.each([1280, 760])('signed in, %i px wide', (width) => {
    beforeAll(async () => {
      const [name, value] = session.split('=') as [string, string];
      await browser.context.addCookies([{ name, value, url: server.url }]);
      await page.setViewportSize({ width, height: 860 });
    });

    it.each(pages)('has no serious violation on %s', async (path, heading) => {
      await open(path, heading);
      expect(await violations()).toEqual([]);
    });
  });

  it('has no serious violation on a key’s own page', async () => {
    await page.setViewportSize({ width: 1280, height: 860 });
    await open('keys', 'Keys');
    await page.getByRole('button', { name: 'Billing service' }).click();
    await page.getByRole('heading', { level: 2, name: 'Billing service' }).waitFor();
    expect(await violations()).toEqual([]);
    // At its own address, with its usage over time and its history.
    await open(`key?id=${billingKey}`, /Billing service/);
    await page.getByRole('heading', { name: 'History' }).waitFor();
    expect(await violations()).toEqual([]);
  });

  it('has no serious violation in a dense table with a row opened', async () => {
    await open('anomalies', 'Anomalies');
    await page.locator('table.anomalies tbody tr').first().getByRole('button', { name: /^More/ }).click();
    await page.locator('table.anomalies tr.expanded').waitFor();
    expect(await violations()).toEqual([]);
    await open('audit', 'Audit log');
    await page.locator('table.audit tbody tr').first().getByRole('button', { name: /^More/ }).click();
    await page.locator('table.audit tr.expanded').waitFor();
    expect(await violations()).toEqual([]);
  });

  it('has no serious violation in an OAuth client’s edit form, and on a deleted key’s page', async () => {
    await open('oauth-clients', 'OAuth clients');
    await page.getByRole('button', { name: 'Edit the OAuth client Reporting' }).click();
    await page.getByRole('heading', { level: 3, name: 'Edit Reporting' }).waitFor();
    await page
      .getByRole('checkbox', { name: /Authorization code/ })
      .first()
      .check();
    await page.getByLabel('Redirect URIs').first().waitFor();
    expect(await violations()).toEqual([]);
    await open(`key?id=${deletedKey}`, 'Deleted key');
    expect(await violations()).toEqual([]);
  });

  it('has no serious violation in the workspace switcher and an opened form of a user’s workspaces', async () => {
    await page.setViewportSize({ width: 1280, height: 860 });
    await open('settings', 'Settings');
    await page.getByRole('combobox', { name: 'Workspace', exact: true }).waitFor();
    const row = page.locator('tr', { has: page.getByRole('cell', { name: 'staging@example.test', exact: true }) });
    await row.locator('summary').click();
    await row.getByRole('checkbox', { name: 'Staging' }).waitFor();
    expect(await violations()).toEqual([]);
  });

  it('has no serious violation in a signing key’s retire confirmation', async () => {
    await open('oauth-clients', 'OAuth clients');
    await page
      .getByRole('button', { name: /^Retire the signing key .* now$/ })
      .first()
      .click();
    await page.getByRole('heading', { level: 3, name: /^Retire the signing key/ }).waitFor();
    expect(await violations()).toEqual([]);
  });
});
