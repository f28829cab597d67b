import { createHmac } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QR_OPTIONS } from '../../apps/console/src/qr-options.js';
import { OUTCOME_COLOURS } from '../../apps/console/src/outcome-colours.js';
import { launchChromium } from './support/chromium.js';
import { codeFor, startConsoleServer, type ConsoleServer } from './support/console-server.js';
import { signedWith, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const SHOTS = process.env.TESSERA_CONSOLE_SHOTS ?? new URL('../../test-results/console/', import.meta.url).pathname;
const EMAIL = 'owner@example.test';
const PASSWORD = 'a long console password';

/** How many of a chart's canvas pixels are exactly this colour (the inside of its bars). */
const pixelsOf = (chart: Locator, hex: string) =>
  chart.locator('canvas').evaluate(
    (canvas: HTMLCanvasElement, rgb) => {
      const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
      let n = 0;
      for (let i = 0; i < data.length; i += 4)
        if (data[i] === rgb[0] && data[i + 1] === rgb[1] && data[i + 2] === rgb[2] && data[i + 3] === 255) n++;
      return n;
    },
    [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)),
  );

/**
 * The console in a real browser (Debian's Chromium, driven by playwright-core) against a real
 * Tessera on loopback: sign-in with TOTP, keys, the overview chart, secrets, the audit log, and
 * the refusals (wrong code, missing CSRF token, ended session). Screenshots go to test-results/.
 */
describe('the console in Chromium', () => {
  let server: ConsoleServer;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let context: BrowserContext;
  let page: Page;
  let secret: string;
  let keyspaceId: string;
  let firstKey: string;
  let receiver: WebhookReceiver;
  /** An integrator's rotation endpoint: makes the next value, then confirms it. */
  let rotationEndpoint: WebhookReceiver;
  /** What the page policy refused, and uncaught script errors: both must stay empty. */
  const refused: string[] = [];

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const go = async (path: string, heading: string) => {
    await page.goto(`${server.url}/console/#/${path}`);
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  };

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    receiver = await startWebhookReceiver({ status: 204 });
    rotationEndpoint = await startWebhookReceiver({
      answer: (r) =>
        JSON.parse(r.body).type === 'secret.rotation.create' ? { status: 200, body: '{"value":"sk_test_rotated_42"}' } : { status: 204 },
    });
    server = await startConsoleServer();
    await server.createUser(EMAIL, PASSWORD);
    const ks = await server.api('POST', '/v1/keyspaces', { name: 'Production', prefix: 'sk_live' });
    keyspaceId = ks.body.id;
    const put = await server.api('PUT', '/v1/secrets/payments/stripe', {
      value: 'sk_test_vault_value_42',
      rotateBy: new Date(Date.now() + 3 * 86_400_000).toISOString(),
    });
    expect(put.status).toBe(200);
    browser = await launchChromium();
    context = browser.context;
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('dialog', (d) => void d.accept());
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) refused.push(m.text());
    });
    page.on('pageerror', (e) => refused.push(`script error: ${e.message}`));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await receiver?.close();
    await rotationEndpoint?.close();
  });

  it('signs in with a password, enrols TOTP and shows the recovery codes once', async () => {
    await page.goto(`${server.url}/console`);
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await shot('01-sign-in');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Set up two-factor sign-in' }).waitFor();
    secret = (await page.getByTestId('totp-secret').textContent())!.replace(/\s/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    // The QR code is drawn in the browser from the otpauth:// URI shown beside it, and encodes
    // exactly that URI: the same library draws the same SVG here.
    const uri = (await page.getByTestId('totp-uri').textContent())!;
    expect(new URL(uri).searchParams.get('secret')).toBe(secret);
    const qr = page.getByRole('img', { name: /QR code of the authenticator setup link/ });
    await qr.waitFor();
    const src = (await qr.getAttribute('src'))!;
    expect(src).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(Buffer.from(src.split(',')[1]!, 'base64').toString()).toBe(await QRCode.toString(uri, QR_OPTIONS));
    expect(await qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    await shot('02-totp-enrolment');
    await page.getByLabel('Code from the app').fill(codeFor(secret, server.clock));
    await page.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
    await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
    expect(await page.getByTestId('recovery-codes').locator('li').count()).toBe(10);
    await shot('03-recovery-codes');
    await page.getByRole('button', { name: /continue/ }).click();
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    const cookies = await context.cookies(server.url);
    expect(cookies.find((c) => c.name === 'tessera_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
  });

  it('creates a key with its attributes, shows it once and copies it', async () => {
    await go('keys', 'Keys');
    await page.getByText('No keys in this keyspace').waitFor();
    await page.getByRole('button', { name: 'Create a key' }).click();
    const form = page.locator('form.create-key');
    const focused = () => page.evaluate(() => document.activeElement?.getAttribute('name') ?? document.activeElement?.id ?? null);
    expect(await page.getByRole('button', { name: 'Create a key' }).getAttribute('aria-expanded')).toBe('true');
    expect(await focused()).toBe('keyspaceId'); // focus moves into the form it opened
    await form.getByLabel('Name', { exact: true }).fill('Checkout service');
    await form.getByLabel('Owner').fill('acme');
    await form.getByLabel('Scopes').fill('orders:read orders:write');
    await form.getByLabel('IP allowlist').fill('127.0.0.0/8, ::1/128');
    await form.getByLabel('Credits').fill('1000');
    await form.getByLabel('Limit name').fill('per-second');
    await form.getByLabel('Requests').fill('50');
    await form.getByLabel('Metadata (JSON object)').fill('{"plan": "pro"}');
    await shot('04-create-key-form');
    await form.getByRole('button', { name: 'Create key' }).click();
    firstKey = (await page.getByTestId('new-key').textContent())!;
    expect(firstKey).toMatch(/^sk_live_[0-9A-Za-z]{49}$/);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('copy-key'); // and onto Copy
    await page.getByTestId('copy-key').click();
    await page.getByRole('button', { name: 'Copied' }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(firstKey);
    await page.locator('tr', { hasText: 'Checkout service' }).waitFor();
    await shot('05-key-created');

    const listed = await server.api('GET', `/v1/keys?keyspaceId=${keyspaceId}`);
    expect(listed.body.items[0]).toMatchObject({
      name: 'Checkout service',
      ownerId: 'acme',
      scopes: ['orders:read', 'orders:write'],
      ipAllowlist: ['127.0.0.0/8', '::1/128'],
      meta: { plan: 'pro' },
      credits: { remaining: 1000 },
      ratelimits: [{ name: 'per-second', limit: 50, windowMs: 1000 }],
    });
    // Leaving the page forgets the key: it is not shown again.
    await go('overview', 'Overview');
    await go('keys', 'Keys');
    expect(await page.getByTestId('new-key').count()).toBe(0);
  });

  it('shows the key verifying on the overview chart', async () => {
    for (let i = 0; i < 3; i++)
      expect((await server.api('POST', '/v1/keys/verify', { key: firstKey, ip: '127.0.0.1' })).body.code).toBe('VALID');
    expect((await server.api('POST', '/v1/keys/verify', { key: firstKey, ip: '198.51.100.7' })).body.code).toBe('IP_NOT_ALLOWED');
    await server.services.monitoring.settle(); // the chart reads the usage batch (its timer is off in tests)
    await go('overview', 'Overview');
    const legend = page.locator('#overview-chart .legend');
    await expect.poll(() => legend.locator('[data-code="VALID"]').textContent()).toBe('VALID: 3');
    expect(await legend.locator('[data-code="IP_NOT_ALLOWED"]').textContent()).toBe('IP_NOT_ALLOWED: 1');
    expect(await page.getByTestId('tile-active-keys').textContent()).toContain('1');
    // uPlot draws the bars on a canvas: both outcomes are painted in their colours.
    const chart = page.locator('#overview-chart');
    expect(await pixelsOf(chart, OUTCOME_COLOURS.VALID!)).toBeGreaterThan(0);
    expect(await pixelsOf(chart, OUTCOME_COLOURS.IP_NOT_ALLOWED!)).toBeGreaterThan(0);
    await shot('06-overview');
  });

  it('rolls the key with a grace period, then revokes the new one', async () => {
    await go('keys', 'Keys');
    await page.getByRole('button', { name: 'Checkout service' }).click();
    await page.getByRole('heading', { level: 2, name: /Checkout service/ }).waitFor();
    await page.locator('#key-chart .legend [data-code="VALID"]').waitFor();
    expect(await pixelsOf(page.locator('#key-chart'), OUTCOME_COLOURS.VALID!)).toBeGreaterThan(0);
    await shot('07-key-detail');
    await page.getByLabel('Grace period', { exact: true }).fill('10');
    await page.getByLabel('Grace period: unit').selectOption('minutes');
    await page.getByRole('button', { name: 'Roll key' }).click();
    await page.getByRole('heading', { name: /Key rolled/ }).waitFor();
    const rolled = (await page.getByTestId('new-key').textContent())!;
    // The old key's panel closes; the table says which of the two keys of that name is in its
    // grace period, and until when (ten minutes from now, in UTC).
    expect(await page.locator('.key-detail').count()).toBe(0);
    const oldRow = page.locator('tr', { hasText: 'Checkout service' }).filter({ hasText: 'grace period' });
    await oldRow.waitFor();
    await expect.poll(() => page.locator('tr', { hasText: 'Checkout service' }).count()).toBe(2);
    const until = (await server.api('GET', `/v1/keys?keyspaceId=${keyspaceId}`)).body.items[0].expiresAt as string;
    expect(Date.parse(until) - Date.now()).toBeGreaterThan(9 * 60_000);
    expect(await oldRow.textContent()).toMatch(/until .*\d\d:\d\d UTC/);
    expect(await page.locator('.reveal-slot').textContent()).toContain('keeps working until');
    await shot('07-key-rolled');
    expect(rolled).not.toBe(firstKey);
    expect((await server.api('POST', '/v1/keys/verify', { key: rolled, ip: '127.0.0.1' })).body.code).toBe('VALID');
    expect((await server.api('POST', '/v1/keys/verify', { key: firstKey, ip: '127.0.0.1' })).body.code).toBe('VALID'); // within its grace period

    const newId = (await server.api('POST', '/v1/keys/verify', { key: rolled, ip: '127.0.0.1' })).body.keyId;
    await page.getByRole('button', { name: 'I have stored it — hide the key' }).click();
    await page.locator(`tr[data-key-id="${newId}"]`).getByRole('button').click();
    await page.getByLabel('Reason (optional)').fill('rotated out in the console test');
    await page.getByRole('button', { name: 'Revoke key' }).click();
    await page.locator('.key-detail .badge.revoked').waitFor();
    // The revoke button is gone with the key's actions: focus is on the key's heading, not lost.
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('kd-title');
    expect((await server.api('POST', '/v1/keys/verify', { key: rolled })).body.code).toBe('REVOKED');
    await shot('08-key-revoked');
  });

  it('reveals a secret only on request, and audits the reveal', async () => {
    await go('secrets', 'Secrets');
    await page.locator('tr', { hasText: 'payments/stripe' }).waitFor();
    expect(await page.locator('body').textContent()).not.toContain('sk_test_vault_value_42');
    await shot('09-secrets');
    await page.getByRole('button', { name: 'Reveal payments/stripe' }).click();
    expect(await page.getByTestId('secret-value').textContent()).toBe('sk_test_vault_value_42');
    await shot('10-secret-revealed');
    const audit = await server.api('GET', '/v1/audit?action=secret.read');
    expect(audit.body.items[0].actor).toMatch(/^user:usr_/);
  });

  it('sets a webhook rotation for a secret and rotates it now', async () => {
    const form = page.locator('form[aria-labelledby="set-rotation"]');
    await form.getByLabel('Rotator').selectOption('webhook');
    await form.getByLabel('Endpoint URL').fill(rotationEndpoint.url);
    await form.getByRole('button', { name: 'Set rotation' }).click();
    const row = page.locator('section[aria-labelledby="rotations"] tr', { hasText: 'payments/stripe' });
    await row.waitFor();
    expect(await row.textContent()).toContain('manual');
    const signing = (await page.getByTestId('new-signing secret').textContent())!;
    expect(signing).toMatch(/^whsec_/);
    await page.getByRole('button', { name: 'Rotate now: payments/stripe' }).click();
    await expect.poll(() => row.getByTestId('rotation-result').textContent()).toBe('succeeded');
    await shot('11-secret-rotated');
    expect(rotationEndpoint.received.map((r) => signedWith(signing, r))).toEqual([true, true]);
    expect((await server.api('GET', '/v1/secrets/payments/stripe')).body).toMatchObject({ version: 2, value: 'sk_test_rotated_42' });
    const rotated = await server.api('GET', '/v1/audit?action=secret.rotated');
    expect(rotated.body.items[0]).toMatchObject({
      actor: expect.stringMatching(/^user:usr_/),
      details: { version: 2, trigger: 'request' },
    });
  });

  it('stops rotating a secret: its current version stays', async () => {
    const row = page.locator('section[aria-labelledby="rotations"] tr', { hasText: 'payments/stripe' });
    await row.getByRole('button', { name: 'Stop rotating payments/stripe' }).click();
    await page.getByText('No secret is rotated by a rotator yet.').waitFor();
    await page.locator('.toast').getByText('payments/stripe is no longer rotated; its current version stays.').waitFor();
    await shot('11b-rotation-stopped');
    expect((await server.api('GET', '/v1/secret-rotations')).body.items).toEqual([]);
    expect((await server.api('GET', '/v1/secrets/payments/stripe')).body).toMatchObject({ version: 2, value: 'sk_test_rotated_42' });
  });

  it('reads the audit log with its chain status, and filters it', async () => {
    await go('audit', 'Audit log');
    await page.getByText(/Chain verified/).waitFor();
    await page.locator('td', { hasText: 'key.rolled' }).first().waitFor();
    await shot('11-audit-log');
    await page.getByLabel('Action').fill('key.revoked');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => page.locator('table.audit tbody tr').count()).toBe(1);
    expect(await page.locator('table.audit tbody').textContent()).toContain('rotated out in the console test');
  });

  it('shows settings with the console users', async () => {
    await go('settings', 'Settings');
    await page.getByRole('heading', { name: 'Console users' }).waitFor();
    await page.locator('td', { hasText: EMAIL }).waitFor();
    await shot('12-settings');
  });

  it('lists anomalies with their evidence, and acknowledges and resolves them', async () => {
    // Two real findings: the revoked key presented above (the dead-key detector), and a console
    // account locked by five failed sign-ins (the login_failures anomaly): an account that has not
    // enrolled its second factor yet is locked by wrong passwords.
    await server.services.monitoring.settle();
    await server.createUser('locked@example.test', PASSWORD, 'viewer');
    for (let i = 0; i < 5; i++) {
      const r = await fetch(`${server.url}/console/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'locked@example.test', password: 'not the password at all' }),
      });
      expect(r.status).toBe(200); // the password step tells nothing; the fifth failure locks the account
    }
    const open = async () => (await server.api('GET', '/v1/anomalies?status=open')).body.items as { id: string; kind: string }[];
    await expect.poll(async () => (await open()).map((a) => a.kind).sort()).toEqual(['login_failures', 'revoked_key_used']);

    await go('anomalies', 'Anomalies');
    // A line each; a row's button opens its card with the evidence.
    const rowOf = (kind: string) => page.locator('table.anomalies tr[data-anomaly-row]', { hasText: kind });
    await rowOf('Login failures').getByRole('button', { name: /^More/ }).click();
    await rowOf('Revoked key used').getByRole('button', { name: /^More/ }).click();
    const lockout = page.locator('article.anomaly', { hasText: 'Login failures' });
    await lockout.getByText(/was locked after 5 failed sign-ins/).waitFor();
    expect(await lockout.locator('.attrs.evidence').textContent()).toContain('failures5');
    const dead = page.locator('article.anomaly', { hasText: 'Revoked key used' });
    await dead.getByText(/whoever sent it still holds the key/).waitFor();
    await shot('15-anomalies');

    // The key of a finding, by its name (its id in the tooltip), opens on its own page; the locked
    // account is named by its email.
    expect(await dead.getByRole('link').textContent()).toBe('Checkout service');
    expect(await lockout.locator('.attrs').first().textContent()).toContain('Subjectlocked@example.test');
    const deadKey = (await dead.getByRole('link').getAttribute('title'))!;
    await dead.getByRole('link').click();
    await page.getByRole('heading', { level: 1, name: /Checkout service/ }).waitFor();
    expect(await page.locator('.key-detail dd code').first().textContent()).toBe(deadKey);
    await page.goBack();
    await page.getByRole('heading', { level: 1, name: 'Anomalies' }).waitFor();
    await rowOf('Login failures').getByRole('button', { name: /^More/ }).click();
    await rowOf('Revoked key used').getByRole('button', { name: /^More/ }).click();

    const id = (await lockout.getAttribute('data-anomaly-id'))!;
    // The times of the fields are in UTC, as the sentences are, and say so.
    expect(await lockout.locator('.attrs').first().textContent()).toMatch(/Detected.*\d\d:\d\d UTC/);
    await lockout.getByRole('button', { name: 'Acknowledge' }).click();
    // The list is read again: no longer open, the finding leaves the list of open ones, and focus
    // goes to the list's summary rather than being lost with the pressed button.
    await lockout.waitFor({ state: 'detached' });
    await page.getByText('1 anomaly, newest first').waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toMatch(/^1 anomaly, newest first/);
    expect(await page.getByRole('status').first().textContent()).toMatch(/Acknowledged.*left the list of open anomalies/);
    expect((await server.api('GET', `/v1/anomalies/${id}`)).body).toMatchObject({
      status: 'acknowledged',
      acknowledgedBy: expect.stringMatching(/^user:usr_/),
    });
    await page.getByLabel('State').selectOption('acknowledged');
    await expect.poll(() => lockout.getByTestId('anomaly-status').textContent()).toBe('acknowledged');
    expect(await lockout.locator('.attrs').first().textContent()).toMatch(/Acknowledged.* UTC by owner@example\.test/);
    await lockout.getByRole('button', { name: 'Resolve' }).click();
    await page.getByText('No acknowledged anomalies.').waitFor();
    expect((await server.api('GET', `/v1/anomalies/${id}`)).body).toMatchObject({
      status: 'resolved',
      resolvedBy: expect.stringMatching(/^user:usr_/),
    });
    await shot('16-anomaly-resolved');

    // Opened before, it is still open.
    await page.getByLabel('State').selectOption('open');
    await dead.getByRole('button', { name: 'Resolve' }).click();
    // No Refresh needed: the list is read again after the change.
    await page.getByText('No open anomalies.').waitFor();
    expect(await open()).toEqual([]);
    await shot('17-anomalies-none-open');
    // The resolved ones are a filter away, and the audit log has both changes.
    await page.getByLabel('State').selectOption('resolved');
    await expect.poll(() => page.locator('table.anomalies tr[data-anomaly-row]').count()).toBe(2);
    await page.getByLabel('Kind').selectOption('login_failures');
    await expect.poll(() => page.locator('table.anomalies tr[data-anomaly-row]').count()).toBe(1);
    const audit = await server.api('GET', '/v1/audit?action=anomaly.resolved');
    expect(audit.body.items).toHaveLength(2);
  });

  it('reports key hygiene, with links to the keys it names', async () => {
    const created = await server.api('POST', '/v1/keys', { keyspaceId, name: 'Forgotten batch job', ownerId: 'acme' });
    expect(created.status).toBe(201);
    // The first key (still in its grace period) is asked for one of its two scopes only.
    const asked = await server.api('POST', '/v1/keys/verify', { key: firstKey, ip: '127.0.0.1', scopes: 'orders:read' });
    expect(asked.body.code).toBe('VALID');
    await server.services.monitoring.settle();
    await go('hygiene', 'Hygiene');
    const noExpiry = page.locator('section[data-finding="hy-no-expiry"]');
    await noExpiry.locator(`tr[data-key-id="${created.body.keyId}"]`).waitFor();
    await page.locator('section[data-finding="hy-never"]').locator(`tr[data-key-id="${created.body.keyId}"]`).waitFor();
    // The first key was rolled with a 10-minute grace period: it now expires soon.
    await page.locator('section[data-finding="hy-expiring"]').getByRole('link', { name: 'Checkout service' }).waitFor();
    const privilege = page.locator('section[data-finding="hy-privilege"] tr', { hasText: 'Checkout service' });
    await privilege.waitFor();
    expect(await privilege.locator('td').allTextContents()).toEqual([
      'Checkout service',
      'acme',
      'orders:read orders:write',
      'orders:read',
      'orders:read',
    ]);
    await page.locator('section[aria-labelledby="hy-secrets"]').getByText('payments/stripe').waitFor();
    await shot('18-hygiene');
    await noExpiry.getByRole('link', { name: 'Forgotten batch job' }).click();
    await page.getByRole('heading', { level: 2, name: /Forgotten batch job/ }).waitFor();
    expect(await page.locator('.key-detail').textContent()).toContain(created.body.keyId);
  });

  it('shows the keyring status, and adds a webhook (secret shown once), tests it and deletes it', async () => {
    await go('settings', 'Settings');
    const keyring = page.getByTestId('keyring-status');
    await keyring.waitFor();
    const status = await keyring.textContent();
    expect(status).toContain('KEK version1');
    expect(status).toMatch(/Pepper version1/);
    await page.getByRole('heading', { name: 'Webhooks' }).waitFor();
    await page.getByText('No webhooks yet').waitFor();

    await page.getByRole('button', { name: 'Add a webhook' }).click();
    await page.getByLabel('URL').fill(receiver.url);
    await shot('19-webhook-form');
    await page.getByRole('button', { name: 'Add webhook' }).click();
    const secret = (await page.getByTestId('new-secret').textContent())!;
    expect(secret).toMatch(/^whsec_/);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('copy-secret');
    await page.getByTestId('copy-secret').click();
    await page.getByRole('button', { name: 'Copied' }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    const row = page.locator('table.webhooks tr', { hasText: receiver.url });
    await row.waitFor();
    await shot('20-webhook-secret');

    const listed = await server.api('GET', '/v1/webhooks');
    expect(listed.body.items).toHaveLength(1);
    expect(listed.body.items[0]).toMatchObject({ url: receiver.url, events: ['*'], enabled: true });
    expect(secret.startsWith(listed.body.items[0].secretStart.replace(/…$/, ''))).toBe(true);
    expect(await row.textContent()).toContain(listed.body.items[0].secretStart);
    expect(JSON.stringify(listed.body)).not.toContain(secret);

    // A test event reaches the receiver, signed with the secret the page showed.
    receiver.received.length = 0;
    await row.getByRole('button', { name: /Send a test event/ }).click();
    await row.getByText('Last test: delivered (HTTP 204)').waitFor();
    const test = receiver.received.find((r) => JSON.parse(r.body).type === 'webhook.test')!;
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(test.signature)!;
    expect(v1).toBe(createHmac('sha256', secret).update(`${t}.${test.body}`).digest('hex'));
    // The delivery log shows it: the event, its state, the receiver's status.
    await row.getByRole('button', { name: `Deliveries to ${receiver.url}` }).click();
    const log = page.locator('section.deliveries');
    const sent = log.locator('tbody tr', { hasText: 'webhook.test' });
    await sent.waitFor();
    expect(await sent.locator('td').allTextContents()).toEqual(expect.arrayContaining(['webhook.test', 'succeeded', '1', '204']));
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('wd-title');
    await log.scrollIntoViewIfNeeded();
    await shot('21-webhook-deliveries');
    await log.getByRole('button', { name: 'Close' }).click();

    await page.getByRole('button', { name: 'I have stored it — hide the secret' }).click();
    expect(await page.getByTestId('new-secret').count()).toBe(0);
    // A new signing secret, shown once; the next event is signed with it.
    await row.getByRole('button', { name: `New signing secret for the webhook to ${receiver.url}` }).click();
    await page.getByRole('heading', { name: `Webhook to ${receiver.url} has a new signing secret` }).waitFor();
    const renewed = (await page.getByTestId('new-secret').textContent())!;
    expect(renewed).toMatch(/^whsec_/);
    expect(renewed).not.toBe(secret);
    receiver.received.length = 0;
    await row.getByRole('button', { name: /Send a test event/ }).click();
    await expect.poll(() => receiver.received.length).toBeGreaterThan(0);
    const again = receiver.received.find((r) => JSON.parse(r.body).type === 'webhook.test')!;
    const [, t2, v2] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(again.signature)!;
    expect(v2).toBe(createHmac('sha256', renewed).update(`${t2}.${again.body}`).digest('hex'));
    await page.getByRole('button', { name: 'I have stored it — hide the secret' }).click();
    await row.getByRole('button', { name: /Disable the webhook/ }).click();
    await row.locator('.badge.disabled').waitFor();
    expect((await server.api('GET', '/v1/webhooks')).body.items[0].enabled).toBe(false);
    await shot('21-webhooks');
    await row.getByRole('button', { name: /Delete the webhook/ }).click();
    await page.getByText('No webhooks yet').waitFor();
    expect((await server.api('GET', '/v1/webhooks')).body.items).toEqual([]);
  });

  it('refuses a state change without the CSRF token, from the signed-in browser itself', async () => {
    const answer = await page.evaluate(async () => {
      const r = await fetch('/v1/keyspaces', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'csrf', prefix: 'csrf' }),
      });
      return { status: r.status, body: await r.json() };
    });
    expect(answer.status).toBe(403);
    expect(answer.body.code).toBe('CSRF_FAILED');
    const ks = await server.api('GET', '/v1/keyspaces');
    expect(ks.body.items.map((k: { prefix: string }) => k.prefix)).not.toContain('csrf');
  });

  it('ends an idle session: the console returns to the sign-in page', async () => {
    server.clock.skip(31 * 60_000);
    await page.goto(`${server.url}/console/#/keys`);
    await page.getByRole('heading', { name: 'Sign in to Tessera' }).waitFor();
    expect(await page.getByRole('status').first().textContent()).toMatch(/session has ended/);
    await shot('13-session-ended');
  });

  it('refuses a wrong TOTP code, and after a wrong password says so only at the second factor', async () => {
    // A wrong password: the console cannot tell yet, so it asks for the code, then offers to start again.
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill('not the password at all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Second factor' }).waitFor();
    await page.getByLabel('Code from your authenticator app').fill(codeFor(secret, server.clock));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByText(/or the email or password before it was not/).waitFor();
    await shot('14-wrong-password-second-factor');
    await page.getByRole('button', { name: 'Start again with the email and password' }).click();
    await page.getByRole('heading', { name: 'Sign in to Tessera' }).waitFor();

    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Second factor' }).waitFor();
    const right = codeFor(secret, server.clock);
    await page.getByLabel('Code from your authenticator app').fill(right === '123456' ? '654321' : '123456');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByText(/The code is not right/).waitFor();
    await shot('14-wrong-totp');
    // The right code still works afterwards (one failure does not lock the account).
    server.clock.skip(30_000);
    await page.getByLabel('Code from your authenticator app').fill(codeFor(secret, server.clock));
    await page.getByRole('button', { name: 'Verify' }).click();
    // Back where the session ended.
    await page.getByRole('heading', { level: 1, name: 'Keys' }).waitFor();
  });

  it('registers a passkey in Settings, signs in with it instead of the code, and accepts it no more once removed', async () => {
    // WebAuthn needs a host name, not an IP address: the same server, reached as localhost.
    const origin = server.url.replace('127.0.0.1', 'localhost');
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
    });
    const signInWithPassword = async () => {
      await page.getByLabel('Email').fill(EMAIL);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Second factor' }).waitFor();
    };
    const signOut = async () => {
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in to Tessera' }).waitFor();
    };

    await page.goto(`${origin}/console/#/settings`);
    await signInWithPassword();
    // Offered whenever the browser has WebAuthn: whether the user has a passkey is not told before the second factor.
    await page.getByRole('button', { name: 'Use a passkey' }).waitFor();
    server.clock.skip(30_000);
    await page.getByLabel('Code from your authenticator app').fill(codeFor(secret, server.clock));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    const section = page.getByRole('region', { name: 'Passkeys' });
    await section.getByText('You have no passkeys yet.').waitFor();
    await section.getByLabel('Passkey name').fill('Work laptop');
    await section.getByRole('button', { name: 'Add a passkey' }).click();
    await section.locator('table.passkeys td', { hasText: 'Work laptop' }).waitFor();
    expect(await section.locator('table.passkeys tbody tr').textContent()).toContain('never');
    await section.scrollIntoViewIfNeeded();
    await shot('22-passkey-added');
    const held = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(held.credentials).toHaveLength(1);
    expect((await server.api('GET', '/v1/audit?action=user.passkey_added')).body.items[0].details).toMatchObject({ name: 'Work laptop' });

    // Password, then the passkey in place of the code.
    await signOut();
    await signInWithPassword();
    await page.getByRole('button', { name: 'Use a passkey' }).waitFor();
    await shot('23-second-factor-passkey');
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    expect((await server.api('GET', '/v1/audit?action=user.login')).body.items[0].details).toEqual({ method: 'passkey' });
    expect((await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials[0]!.signCount).toBeGreaterThan(0);
    await section.locator('table.passkeys tbody tr').getByText('never').waitFor({ state: 'detached' });

    // Removed: the authenticator still holds it and offers it, the server refuses it, and the code still works.
    await section.getByRole('button', { name: 'Remove the passkey Work laptop' }).click();
    await section.getByText('You have no passkeys yet.').waitFor();
    expect((await server.api('GET', '/v1/audit?action=user.passkey_removed')).body.items).toHaveLength(1);
    await signOut();
    await signInWithPassword();
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    await page.getByText(/That passkey was not accepted/).waitFor();
    await shot('24-passkey-removed-second-factor');
    server.clock.skip(30_000);
    await page.getByLabel('Code from your authenticator app').fill(codeFor(secret, server.clock));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
    await cdp.detach();
  });

  it('ran every page under the strict page policy, with no violation and no script error', async () => {
    const policy = (await fetch(`${server.url}/console/`)).headers.get('content-security-policy');
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("style-src 'self'");
    expect(policy).not.toContain('unsafe-inline');
    expect(refused).toEqual([]);
  });
});
