import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rollUp } from '../../packages/core/src/usage/usage-rollups.js';
import { event } from '../monitoring/traffic.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { launchChromium } from './support/chromium.js';
import { CookieClient, codeFor, startConsoleServer, type ConsoleServer } from './support/console-server.js';

const SHOTS = process.env.TESSERA_CONSOLE_SHOTS ?? new URL('../../test-results/console/', import.meta.url).pathname;
const OWNER = 'owner@example.test';
const PASSWORD = 'a long console password';
const DAY = 86_400_000;

/**
 * The console people choose, in Chromium against two real Tessera nodes on one PostgreSQL database: a key's
 * own page (its editing, its use over hours, days and weeks from the roll-ups, its history from the
 * audit log), usage analytics from the roll-ups every node writes, suspensions lifted, keys revoked
 * together by selection, and the anomalies and the audit log as dense tables with names, not ids.
 * One browser, one page flow; sessions are made over HTTP.
 */
describe('the console’s key page, analytics, suspensions and dense tables, in Chromium', { timeout: 60_000 }, () => {
  let a: ConsoleServer;
  let b: TestServer;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  let keyspaceId: string;
  const keys: Record<string, { keyId: string; key: string }> = {};
  const dialogs: string[] = [];
  const problems: string[] = [];
  const heights: Record<string, number> = {};

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `analytics-${name}.png`), fullPage: true });
  const go = async (path: string, heading: string | RegExp) => {
    await page.goto('about:blank');
    await page.goto(`${a.url}/console/#/${path}`);
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
    await expect.poll(() => page.locator('[aria-busy="true"]').count()).toBe(0);
  };
  const height = () => page.evaluate(() => document.documentElement.scrollHeight);
  const createKey = async (name: string, body: Record<string, unknown> = {}) => {
    const r = await a.api('POST', '/v1/keys', { keyspaceId, name, ...body });
    expect(r.status).toBe(201);
    keys[name] = r.body;
    return r.body as { keyId: string; key: string };
  };
  /** `n` verifications of `key` on `node`, each expected to answer `code`. */
  const verify = async (node: TestServer, key: string, n: number, code = 'VALID') => {
    for (let i = 0; i < n; i++) expect((await node.api('POST', '/v1/keys/verify', { key, ip: '198.51.100.7' })).body.code).toBe(code);
  };

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    // Two nodes of one cluster: each its own connection pool to the same PostgreSQL schema, the same
    // keyring and root key. (Two servers on one SQLite file are not a cluster: their writes lock each other out.)
    a = await startConsoleServer({ dialect: 'postgres' });
    b = await startTestServer('postgres', { clock: a.clock, join: a });
    await a.createUser(OWNER, PASSWORD, 'owner');
    const c = new CookieClient(a.url);
    await c.call('POST', '/console/api/login', { email: OWNER, password: PASSWORD });
    const enrol = await c.call('POST', '/console/api/enrolment');
    expect((await c.call('POST', '/console/api/enrolment/confirm', { code: codeFor(enrol.body.secret, a.clock) })).status).toBe(200);

    keyspaceId = (await a.api('POST', '/v1/keyspaces', { name: 'Production', prefix: 'sk_live' })).body.id;
    await createKey('Checkout service', { ownerId: 'acme', scopes: ['orders:read'] });
    await createKey('Mobile app', { ownerId: 'globex' });
    await createKey('Throttled job', { ownerId: 'acme', ratelimits: [{ name: 'requests', limit: 2, windowMs: 60_000 }] });
    for (const n of [1, 2, 3, 4]) await createKey(`Bulk import ${n}`, { ownerId: 'initech' });
    for (const n of [1, 2]) await createKey(`Leaked script ${n}`, { ownerId: 'globex' });
    for (const n of [1, 2, 3]) {
      const old = await createKey(`Retired integration ${n}`, { ownerId: 'acme' });
      expect((await a.api('POST', `/v1/keys/${old.keyId}/revoke`, { reason: 'replaced' })).status).toBe(200);
    }

    // Traffic on both nodes: 12 + 8 valid verifications of the checkout key, the mobile app's on
    // the second node only, a throttled key past its limit, a deleted key.
    await verify(a, keys['Checkout service']!.key, 12);
    await verify(b, keys['Checkout service']!.key, 8);
    await verify(b, keys['Mobile app']!.key, 5);
    await verify(a, keys['Throttled job']!.key, 2);
    await verify(a, keys['Throttled job']!.key, 3, 'RATE_LIMITED');
    const gone = await createKey('Deleted job');
    expect((await a.api('DELETE', `/v1/keys/${gone.keyId}`)).status).toBe(204);
    await verify(b, gone.key, 3, 'NOT_FOUND');
    // Anomalies: three revoked keys presented, two decoys used, two keys reported leaked (quarantined).
    for (const n of [1, 2, 3]) await verify(b, keys[`Retired integration ${n}`]!.key, 1, 'REVOKED');
    for (const name of ['Payments backup', 'Admin console token']) {
      const decoy = await a.api('POST', '/v1/honeytokens', { keyspaceId, name });
      expect(decoy.status).toBe(201);
      await a.api('POST', '/v1/keys/verify', { key: decoy.body.key, ip: '203.0.113.9' });
    }
    const report = await a.api('POST', '/v1/keys/leaked', {
      keys: [keys['Leaked script 1']!.key, keys['Leaked script 2']!.key],
      source: 'a public gist',
    });
    expect(report.body.items.map((i: { status: string }) => i.status)).toEqual(['quarantined', 'quarantined']);
    await Promise.all([a.services.monitoring.settle(), b.services.monitoring.settle()]);
    // Older use of the checkout key, as the roll-ups hold it: 3 and 12 days ago.
    const checkout = keys['Checkout service']!.keyId;
    const past = [3, 12].flatMap((days) =>
      Array.from({ length: 6 }, (_, i) =>
        event(a.clock.now() - days * DAY + i * 60_000, {
          workspaceId: 'ws_default',
          keyId: checkout,
          keyspaceId,
          ownerId: 'acme',
          outcome: i === 0 ? 'INSUFFICIENT_SCOPE' : 'VALID',
          cost: i === 0 ? 0 : 1,
        }),
      ),
    );
    await a.db.ports.monitoring.addRollups(rollUp(past));

    browser = await launchChromium();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.accept();
    });
    page.on('pageerror', (e) => problems.push(`script error: ${e.message}`));
    const [name, value] = c.cookie!.split('=') as [string, string];
    await browser.context.addCookies([{ name, value, url: a.url }]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await b?.close();
    await a?.close();
    expect(problems).toEqual([]);
  });

  it('counts the verifications of every node: the roll-ups are in the shared store', async () => {
    const checkout = keys['Checkout service']!.keyId;
    for (const node of [a, b]) {
      const series = await node.api('GET', `/v1/analytics/verifications?keyId=${checkout}&granularity=hour`);
      expect(series.body.totals).toMatchObject({ total: 20, valid: 20, outcomes: { VALID: 20 } });
    }
    const top = await b.api('GET', '/v1/analytics/top?by=key&limit=1');
    expect(top.body.items).toEqual([{ subject: checkout, count: 20, cost: 20 }]);
  });

  it('revokes the keys selected in the table, after a confirmation that names how many', async () => {
    await go('keys', 'Keys');
    await page.getByLabel('Search').fill('bulk import');
    await page.getByRole('button', { name: 'Apply' }).click();
    const rows = page.locator('table.keys tbody tr');
    await expect.poll(() => rows.count()).toBe(4);
    await page.getByLabel('Select every key on this page').check();
    await page.getByLabel('Select Bulk import 4').uncheck();
    await page.getByRole('button', { name: 'Revoke selected (3)' }).waitFor();
    await shot('keys-selected');
    await page.getByRole('button', { name: 'Revoke selected (3)' }).click();
    await page.getByText('Revoked 3 keys.').waitFor();
    expect(dialogs.at(-1)).toMatch(/^Revoke the 3 selected keys\?/);
    for (const n of [1, 2, 3, 4]) {
      const k = (await a.api('GET', `/v1/keys/${keys[`Bulk import ${n}`]!.keyId}`)).body;
      expect(k.revokedAt !== null).toBe(n !== 4);
    }
    // Revoked keys have nothing left to select; the selection is gone.
    await expect.poll(() => page.locator('table.keys tbody input[type=checkbox]').count()).toBe(1);
    expect(await page.getByRole('button', { name: /Revoke selected/ }).count()).toBe(0);
  });

  it('gives a key its own page: editing, use over hours, days and weeks from every node, and its history', async () => {
    const checkout = keys['Checkout service']!.keyId;
    await go('keys', 'Keys');
    await page.getByRole('button', { name: 'Checkout service' }).click();
    await page.getByRole('link', { name: 'Its page, with history' }).click();
    await page.getByRole('heading', { level: 1, name: /Checkout service/ }).waitFor();
    expect(page.url()).toContain(`#/key?id=${checkout}`);
    const usage = page.locator('section', { has: page.getByRole('heading', { name: 'Usage over time' }) });
    // The last 24 hours, per hour: both nodes' 20.
    await usage.locator('tr[data-outcome="VALID"]').getByText('20', { exact: true }).waitFor();
    await usage.getByRole('button', { name: '7 days' }).click();
    await usage.locator('tr[data-outcome="VALID"]').getByText('25', { exact: true }).waitFor();
    expect(await usage.locator('tr[data-outcome="INSUFFICIENT_SCOPE"] td').allTextContents()).toEqual([
      'INSUFFICIENT_SCOPE',
      '1',
      '3.8 %',
      '100.0 %',
    ]);
    await usage.getByRole('button', { name: '30 days' }).click();
    await usage.locator('tr[data-outcome="VALID"]').getByText('30', { exact: true }).waitFor();
    expect(await usage.getByRole('button', { name: '30 days' }).getAttribute('aria-pressed')).toBe('true');
    await shot('key-page');

    // Editing, from the same page: scopes, rate limits, credits, environment, metadata.
    await page.getByRole('button', { name: 'Edit key' }).click();
    await page.getByLabel('Scopes').fill('orders:read orders:write');
    await page.getByLabel('Rate limits').fill('requests 100 60');
    await page.getByLabel('Credits', { exact: true }).fill('500');
    await page.getByLabel('Environment').fill('live');
    await page.getByLabel('Metadata (JSON object)').fill('{"plan":"pro"}');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Saved: environment, scopes, metadata, rate limits, credits.').waitFor();
    expect((await a.api('GET', `/v1/keys/${checkout}`)).body).toMatchObject({
      scopes: ['orders:read', 'orders:write'],
      ratelimits: [{ name: 'requests', limit: 100, windowMs: 60_000 }],
      credits: { remaining: 500 },
      environment: 'live',
      meta: { plan: 'pro' },
    });
    // A bad rate limit is refused in words, before anything is sent.
    await page.getByRole('button', { name: 'Edit key' }).click();
    await page.getByLabel('Rate limits').fill('requests lots');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('"requests lots" is not a rate limit').waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();

    // Its history: the change just made on top, then its creation, from the audit log by target.
    const history = page.locator('table.audit tbody tr[data-seq]');
    await expect.poll(() => history.count()).toBe(2);
    expect(await history.first().locator('td').nth(3).textContent()).toBe('key.updated');
    expect(await history.first().textContent()).toContain(OWNER);
    expect(await history.nth(1).locator('td').nth(3).textContent()).toBe('key.created');
    await history.first().getByRole('button', { name: /^More/ }).click();
    expect(await page.locator('table.audit tr.expanded').textContent()).toContain(checkout);
    await shot('key-page-edited');
    const audit = await a.api('GET', `/v1/audit?target=${checkout}`);
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(['key.updated', 'key.created']);
    expect(audit.body.items[0].targetName).toBe('Checkout service');
  });

  it('shows usage analytics from the roll-ups: by outcome, failures, top keys and owners, one owner', async () => {
    // What the API counts from the roll-ups of both nodes over the last 24 hours, the decoys' uses among them.
    const api = (await b.api('GET', '/v1/analytics/verifications?granularity=hour')).body.totals;
    expect(api.outcomes).toMatchObject({ RATE_LIMITED: 3, NOT_FOUND: 3, REVOKED: 3 });
    expect(api.outcomes.VALID).toBeGreaterThanOrEqual(27);
    await go('analytics', 'Analytics');
    const breakdown = page.locator('table.breakdown');
    await breakdown.locator('tr[data-outcome="VALID"]').getByText(String(api.outcomes.VALID), { exact: true }).waitFor();
    const row = async (code: string) => breakdown.locator(`tr[data-outcome="${code}"] td`).allTextContents();
    const failed = api.total - api.valid;
    expect(await row('RATE_LIMITED')).toEqual(['RATE_LIMITED', '3', `${(300 / api.total).toFixed(1)} %`, `${(300 / failed).toFixed(1)} %`]);
    expect((await row('NOT_FOUND'))[1]).toBe('3');
    expect((await row('REVOKED'))[1]).toBe('3');
    expect(await breakdown.locator('tfoot').textContent()).toContain(`All (${failed} failed)${api.total}`);
    const topKeys = page.locator('table.top-keys tbody tr');
    expect(await topKeys.first().locator('td').allTextContents()).toEqual(['Checkout service', '20', '20']);
    expect(await topKeys.filter({ hasText: 'a deleted key' }).locator('td').allTextContents()).toEqual(['a deleted key', '3', '0']);
    const topOwners = page.locator('table.top-owners tbody tr');
    expect(await topOwners.first().locator('td').allTextContents()).toEqual(['acme', '28', '22']);
    await shot('analytics');
    // One owner's use: globex's mobile app, all of it on the second node.
    await topOwners.getByRole('button', { name: 'globex' }).click();
    await page.getByRole('heading', { name: /Verifications of owner globex/ }).waitFor();
    await expect.poll(() => breakdown.locator('tbody tr').count()).toBe(1);
    expect(await row('VALID')).toEqual(['VALID', '5', '100.0 %', '—']);
    await page.getByRole('button', { name: '7 days' }).click();
    await page.getByRole('heading', { name: /globex, per day, over the last 7 days/ }).waitFor();
    await shot('analytics-owner');
  });

  it('lists the suspensions in force, and lifts one', async () => {
    await go('suspensions', 'Suspensions');
    const rows = page.locator('table.suspensions tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    const first = rows.filter({ hasText: 'Leaked script 1' });
    expect(await first.locator('td').allTextContents()).toEqual([
      'Leaked script 1',
      'globex',
      'Quarantined: it was reported leaked',
      expect.stringMatching(/UTC$/),
      'until lifted',
      'Lift the suspension of Leaked script 1',
    ]);
    await shot('suspensions');
    await first.getByRole('button', { name: 'Lift the suspension of Leaked script 1' }).click();
    await page.getByText('Lifted: Leaked script 1 is enabled again.').waitFor();
    expect(dialogs.at(-1)).toMatch(/^Lift the suspension of Leaked script 1\? It was quarantined because it was reported leaked/);
    await expect.poll(() => rows.count()).toBe(1);
    expect((await a.api('GET', `/v1/keys/${keys['Leaked script 1']!.keyId}`)).body.enabled).toBe(true);
    expect((await b.api('POST', '/v1/keys/verify', { key: keys['Leaked script 1']!.key })).body.code).toBe('VALID');
    // Lifted ones are a filter away.
    await page.getByLabel('Show').selectOption('all');
    await rows
      .filter({ hasText: 'Leaked script 1' })
      .getByText(/^lifted .* UTC$/)
      .waitFor();
  });

  it('shows the anomalies as a table: a line each, names in the sentences, a row opening on its evidence', async () => {
    const found = (await a.api('GET', '/v1/anomalies?status=open')).body.items as { id: string; explanation: string }[];
    expect(found.length).toBeGreaterThanOrEqual(7);
    // The server's sentences name keys by id; the console's by name.
    expect(found.some((f) => f.explanation.includes('key_'))).toBe(true);
    await go('anomalies', 'Anomalies');
    const rows = page.locator('table.anomalies tbody tr[data-anomaly-row]');
    await expect.poll(() => rows.count()).toBe(found.length);
    const sentences = await page.locator('table.anomalies td.sentence').allTextContents();
    expect(sentences.join('\n')).not.toMatch(/key_[0-9A-Za-z]/);
    expect(sentences.join('\n')).toContain('Retired integration 1');
    heights.anomalies = await height();
    await shot('anomalies');
    const revoked = rows.filter({ hasText: 'Retired integration 2' });
    await revoked.getByRole('button', { name: /^More/ }).click();
    const card = page.locator('table.anomalies tr.expanded article.anomaly');
    await card
      .locator('.attrs')
      .getByText(/\d\d:\d\d UTC/)
      .first()
      .waitFor();
    await shot('anomaly-opened');
    await card.getByRole('button', { name: 'Acknowledge' }).click();
    await page.getByText(/Acknowledged.*left the list of open anomalies/).waitFor();
    await expect.poll(() => rows.count()).toBe(found.length - 1);
    await page.getByLabel('State').selectOption('acknowledged');
    await expect.poll(() => rows.count()).toBe(1);
    await shot('anomalies-acknowledged');
  });

  it('shows the audit log as a table a page at a time, targets by name', async () => {
    await go('audit', 'Audit log');
    const rows = page.locator('table.audit tbody tr[data-seq]');
    await expect.poll(() => rows.count()).toBe(25);
    heights.audit = await height();
    const targets = await page.getByTestId('audit-target').allTextContents();
    expect(targets).toContain('Leaked script 1');
    expect(targets).toContain('Revoked key used: Retired integration 1');
    expect(targets.join('\n')).not.toMatch(/(key|anm)_[0-9A-Za-z]/);
    await shot('audit');
    const first = await rows.first().getAttribute('data-seq');
    await page.getByRole('button', { name: 'Older' }).click();
    await page.getByText(/^Entries 26–\d+$/).waitFor();
    expect(await rows.first().getAttribute('data-seq')).not.toBe(first);
    await page.getByRole('button', { name: 'Newer' }).click();
    await page.getByText('Entries 1–25').waitFor();
    expect(await rows.first().getAttribute('data-seq')).toBe(first);
    // By target, as a key's page asks: the key's entries only, its name in each.
    await page.getByLabel('Target').fill(keys['Mobile app']!.keyId);
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().getByTestId('audit-target').textContent()).toBe('Mobile app');
    await rows.first().getByRole('link', { name: 'Mobile app' }).click();
    await page.getByRole('heading', { level: 1, name: /Mobile app/ }).waitFor();
    // Both dense pages stay within a couple of screens for this data.
    expect(heights.anomalies).toBeLessThan(1400);
    expect(heights.audit).toBeLessThan(2000);
    console.log(`page heights: anomalies ${heights.anomalies} px, audit ${heights.audit} px`);
  });
});
