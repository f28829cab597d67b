import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './support/chromium.js';
import { codeFor, CookieClient, startConsoleServer, type ConsoleServer } from './support/console-server.js';

const SHOTS = process.env.TESSERA_CONSOLE_SHOTS ?? new URL('../../test-results/console/', import.meta.url).pathname;
const PASSWORD = 'a long console password';
const WORKSPACE_KEY = 'tessera.console.workspace';

/**
 * Workspaces in the console, in Chromium against a real Tessera: an owner creates and renames a
 * workspace on the Workspaces page, gives a user both workspaces; that user switches in the
 * header and sees each workspace's keys apart, and the choice lasts the tab's session; a user with
 * one workspace sees its name, no switcher, and cannot reach the other (nor through the API).
 */
describe('workspaces in the console (Chromium)', () => {
  let server: ConsoleServer;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let owner: CookieClient;
  let page: Page;
  let payments: string;
  const refused: string[] = [];

  const shot = (p: Page, name: string) => p.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

  /** Signs a user in over the API (password, then TOTP enrolment): a session as the browser would hold it. */
  async function signIn(email: string): Promise<CookieClient> {
    const c = new CookieClient(server.url);
    expect((await c.call('POST', '/console/api/login', { email, password: PASSWORD })).status).toBe(200);
    const enrol = await c.call('POST', '/console/api/enrolment');
    expect((await c.call('POST', '/console/api/enrolment/confirm', { code: codeFor(enrol.body.secret, server.clock) })).status).toBe(200);
    return c;
  }

  /** A fresh tab signed in with that session (its own sessionStorage). */
  async function tabFor(c: CookieClient): Promise<Page> {
    await browser.context.clearCookies();
    const [name, value] = c.cookie!.split('=') as [string, string];
    await browser.context.addCookies([{ name, value, url: server.url }]);
    const p = await browser.context.newPage();
    p.on('dialog', (d) => void d.accept());
    p.on('pageerror', (e) => refused.push(`script error: ${e.message}`));
    return p;
  }

  const open = async (p: Page, path: string, heading: string) => {
    await p.goto(`${server.url}/console/#/${path}`);
    await p.getByRole('heading', { level: 1, name: heading }).waitFor();
    await expect.poll(() => p.locator('[aria-busy="true"]').count()).toBe(0);
  };
  const keyNames = (p: Page) => p.locator('table.keys tbody tr').allTextContents();
  const switcher = (p: Page) => p.getByRole('combobox', { name: 'Workspace', exact: true });

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    server = await startConsoleServer();
    await server.createUser('owner@example.test', PASSWORD, 'owner');
    owner = await signIn('owner@example.test');
    // The home workspace's keys, made with the bootstrap root key.
    const ks = await server.api('POST', '/v1/keyspaces', { name: 'Home', prefix: 'sk_home' });
    expect((await server.api('POST', '/v1/keys', { keyspaceId: ks.body.id, name: 'Home checkout' })).status).toBe(201);
    browser = await launchChromium();
    page = await tabFor(owner);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('an owner with one workspace sees its name and no switcher; creates and renames a workspace', async () => {
    await open(page, 'workspaces', 'Workspaces');
    expect(await page.getByTestId('workspace-name').textContent()).toBe('Workspace default');
    expect(await switcher(page).count()).toBe(0);
    expect(await page.locator('table.workspaces tbody tr').count()).toBe(1);
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Payments');
    await page.getByRole('button', { name: 'Create workspace' }).click();
    await page.getByRole('status').getByText('Created the workspace Payments').waitFor();
    await page.locator('table.workspaces tbody tr', { hasText: 'Payments' }).waitFor();
    payments = (await page.locator('table.workspaces tbody tr', { hasText: 'Payments' }).getAttribute('data-workspace-id'))!;
    expect(payments).toMatch(/^ws_/);
    // The new workspace is in reach at once: the header now offers both.
    await switcher(page).waitFor();
    expect(await switcher(page).locator('option').allTextContents()).toEqual(['default', 'Payments']);
    // Renamed with the keyboard alone: choose it, type the name, press Enter.
    await page.getByLabel('Workspace to rename').selectOption(payments);
    await page.getByLabel('New name').fill('Payments EU');
    await page.getByLabel('New name').press('Enter');
    await page.getByRole('status').getByText('Renamed the workspace Payments to Payments EU.').waitFor();
    await page.locator('table.workspaces tbody tr', { hasText: 'Payments EU' }).waitFor();
    await expect.poll(() => switcher(page).locator('option').allTextContents()).toEqual(['default', 'Payments EU']);
    expect((await owner.call('GET', `/v1/workspaces/${payments}`)).body.name).toBe('Payments EU');
    await shot(page, 'ws-01-workspaces-page');

    // The other workspace's keyspace and key, made by the owner acting there.
    const there = Object.assign(new CookieClient(server.url, { 'tessera-workspace': payments }), {
      cookie: owner.cookie,
      csrf: owner.csrf,
    });
    const ks = await there.call('POST', '/v1/keyspaces', { name: 'Payments live', prefix: 'sk_pay' });
    expect(ks.status).toBe(201);
    expect((await there.call('POST', '/v1/keys', { keyspaceId: ks.body.id, name: 'Payments refunds' })).status).toBe(201);
  });

  it('the owner switches in the header: the page reloads its data for the chosen workspace', async () => {
    await open(page, 'keys', 'Keys');
    await expect.poll(() => keyNames(page)).toEqual([expect.stringContaining('Home checkout')]);
    await switcher(page).selectOption({ label: 'Payments EU' });
    await expect.poll(() => keyNames(page)).toEqual([expect.stringContaining('Payments refunds')]);
    expect(await switcher(page).inputValue()).toBe(payments);
    await shot(page, 'ws-02-owner-switched');
    await switcher(page).selectOption({ label: 'default' });
    await expect.poll(() => keyNames(page)).toEqual([expect.stringContaining('Home checkout')]);
  });

  it('the owner adds two users and gives one of them the other workspace too', async () => {
    await open(page, 'settings', 'Settings');
    for (const email of ['both@example.test', 'one@example.test']) {
      const form = page.locator('form', { has: page.getByRole('heading', { name: 'Add a console user' }) });
      await form.getByLabel('Email').fill(email);
      await form.getByLabel('Role').selectOption('viewer');
      await form.getByLabel('Initial password').fill(PASSWORD);
      await form.getByRole('button', { name: 'Add user' }).click();
      await page.getByRole('cell', { name: email }).waitFor();
    }
    const row = page.locator('tr', { has: page.getByRole('cell', { name: 'both@example.test', exact: true }) });
    await row.locator('summary').click();
    await row.getByRole('checkbox', { name: 'Payments EU' }).check();
    await shot(page, 'ws-03-user-reach-form');
    await row.getByRole('button', { name: 'Save workspaces' }).click();
    await page.getByRole('status').getByText('Changed the workspaces both@example.test reaches.').waitFor();
    await expect.poll(() => row.locator('summary').textContent()).toBe('Payments EU');
    const users = (await owner.call('GET', '/console/api/users')).body.items as { email: string; otherWorkspaceIds: string[] }[];
    expect(users.find((u) => u.email === 'both@example.test')!.otherWorkspaceIds).toEqual([payments]);
    expect(users.find((u) => u.email === 'one@example.test')!.otherWorkspaceIds).toEqual([]);
  });

  it('a user given both workspaces switches and sees each one’s keys apart; the choice lasts the tab’s session', async () => {
    const both = await tabFor(await signIn('both@example.test'));
    await open(both, 'keys', 'Keys');
    expect(await switcher(both).inputValue()).toBe('ws_default');
    await expect.poll(() => keyNames(both)).toEqual([expect.stringContaining('Home checkout')]);
    await switcher(both).focus();
    await switcher(both).selectOption(payments);
    await expect.poll(() => keyNames(both)).toEqual([expect.stringContaining('Payments refunds')]);
    expect(await both.evaluate((k) => sessionStorage.getItem(k), WORKSPACE_KEY)).toBe(payments);
    await shot(both, 'ws-04-user-switched');
    // Reloaded, the tab stays in the workspace chosen.
    await both.reload();
    await both.getByRole('heading', { level: 1, name: 'Keys' }).waitFor();
    await expect.poll(() => keyNames(both)).toEqual([expect.stringContaining('Payments refunds')]);
    expect(await switcher(both).inputValue()).toBe(payments);
    // A viewer there as at home: no workspace page, nothing to create.
    expect(await both.getByRole('link', { name: 'Workspaces' }).count()).toBe(0);
    await both.close();
  });

  it('a user with one workspace sees its name only, and cannot reach the other, in the page or the API', async () => {
    const oneClient = await signIn('one@example.test');
    const one = await tabFor(oneClient);
    await open(one, 'keys', 'Keys');
    expect(await one.getByTestId('workspace-name').textContent()).toBe('Workspace default');
    expect(await switcher(one).count()).toBe(0);
    await expect.poll(() => keyNames(one)).toEqual([expect.stringContaining('Home checkout')]);
    await shot(one, 'ws-05-one-workspace');
    // A workspace planted in the tab's storage: refused, forgotten, and the home workspace shown.
    await one.evaluate(([k, v]) => sessionStorage.setItem(k!, v!), [WORKSPACE_KEY, payments]);
    await one.reload();
    await one.getByRole('heading', { level: 1, name: 'Keys' }).waitFor();
    await expect.poll(() => keyNames(one)).toEqual([expect.stringContaining('Home checkout')]);
    expect(await one.evaluate((k) => sessionStorage.getItem(k), WORKSPACE_KEY)).toBeNull();
    expect(await one.content()).not.toContain('Payments');
    // The same session over the API, naming the other workspace: the root key's refusal, no data.
    const named = Object.assign(new CookieClient(server.url, { 'tessera-workspace': payments }), { cookie: oneClient.cookie });
    for (const path of ['/v1/keyspaces', '/v1/workspaces', '/console/api/overview']) {
      const r = await named.call('GET', path);
      expect(r.status, path).toBe(403);
      expect(r.body).toMatchObject({ code: 'FORBIDDEN', type: 'urn:tessera:error:forbidden' });
      expect(JSON.stringify(r.body)).not.toMatch(/Payments|sk_pay/);
    }
    expect((await oneClient.call('GET', `/v1/workspaces/${payments}`)).status).toBe(404);
    await one.close();
    expect(refused).toEqual([]);
  });
});
