import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './support/chromium.js';
import { CookieClient, codeFor, startConsoleServer, type ConsoleServer } from './support/console-server.js';

const SHOTS = process.env.TESSERA_CONSOLE_SHOTS ?? new URL('../../test-results/console/', import.meta.url).pathname;
const OWNER = 'owner@example.test';
const VIEWER = 'viewer@example.test';
const PASSWORD = 'a long console password';
const LONG_OWNER = `org_${'verylongownerid'.repeat(12)}`;

/**
 * The console's rough edges, each in Chromium against a real Tessera (what people met that was broken,
 * confusing or unsafe): search and state filters on the server past the first page,
 * sentences for validation errors, errors that clear, a page refused by role, skip to content,
 * passkeys at an IP address, decoys, quarantined keys, names in the audit log, units, a narrow
 * window; and a listing's export as CSV, an owner's keys revoked together, a key deleted, root
 * keys and OAuth clients (public ones too) managed, end users, gateway routes, a deleted key's
 * link. One server and one browser for the file; sessions are made over HTTP, not typed in.
 */
describe('the console without its rough edges, in Chromium', () => {
  let server: ConsoleServer;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  let keyspaceId: string;
  const keyIds: Record<string, string> = {};
  const sessions: Record<string, string> = {};
  const dialogs: string[] = [];
  const problems: string[] = [];

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `edges-${name}.png`) });
  /** Opens a page afresh: a new document, as a new tab would (a hash change alone keeps the app's state). */
  const go = async (path: string, heading: string | RegExp) => {
    await page.goto('about:blank');
    await page.goto(`${server.url}/console/#/${path}`);
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  };
  /** Signs the browser in as `email` with a session made over HTTP (password, then TOTP enrolment). */
  const signInAs = async (email: string) => {
    await browser.context.clearCookies();
    const [name, value] = sessions[email]!.split('=') as [string, string];
    await browser.context.addCookies([{ name, value, url: server.url }]);
  };
  const session = async (email: string, role: 'owner' | 'viewer') => {
    await server.createUser(email, PASSWORD, role);
    const c = new CookieClient(server.url);
    await c.call('POST', '/console/api/login', { email, password: PASSWORD });
    const enrol = await c.call('POST', '/console/api/enrolment');
    expect((await c.call('POST', '/console/api/enrolment/confirm', { code: codeFor(enrol.body.secret, server.clock) })).status).toBe(200);
    sessions[email] = c.cookie!;
  };
  const createKey = async (body: Record<string, unknown>) => {
    const r = await server.api('POST', '/v1/keys', { keyspaceId, ...body });
    expect(r.status).toBe(201);
    return r.body as { keyId: string; key: string };
  };

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    server = await startConsoleServer();
    await session(OWNER, 'owner');
    await session(VIEWER, 'viewer');
    keyspaceId = (await server.api('POST', '/v1/keyspaces', { name: 'Production', prefix: 'sk_live' })).body.id;
    // 126 keys: the needle is the 120th, past the first page of 100.
    for (let i = 1; i <= 126; i++) {
      const name = i === 120 ? 'Needle batch job' : `Worker ${String(i).padStart(3, '0')}`;
      keyIds[name] = (await createKey({ name, ownerId: i === 3 ? LONG_OWNER : 'acme' })).keyId;
    }
    expect((await server.api('PATCH', `/v1/keys/${keyIds['Worker 110']}`, { enabled: false })).status).toBe(200);
    const sandbox = (await server.api('POST', '/v1/keyspaces', { name: 'Sandbox', prefix: 'sk_sbx' })).body.id;
    expect((await server.api('POST', '/v1/keys', { keyspaceId: sandbox, name: 'Needle in the sandbox' })).status).toBe(201);
    browser = await launchChromium();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.accept();
    });
    page.on('pageerror', (e) => problems.push(`script error: ${e.message}`));
    await signInAs(OWNER);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('searches and filters on the server, past the first page, and pages on within the filters', async () => {
    await go('keys', 'Keys');
    const rows = page.locator('table.keys tbody tr');
    await expect.poll(() => rows.count()).toBe(100);
    await page.getByRole('button', { name: 'More keys' }).waitFor();
    // The 120th key is not loaded yet; the server finds it.
    await page.getByLabel('Search').fill('NEEDLE');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('Needle batch job');
    // Across keyspaces, when asked: each key then says which keyspace it is in.
    await page.getByLabel('Keyspace').selectOption({ label: 'all keyspaces' });
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.nth(1).locator('td').nth(2).textContent()).toBe('Sandbox');
    await shot('search-needle');
    await page.getByLabel('Keyspace').selectOption({ label: 'Production (sk_live)' });
    // By key id too, and by state.
    await page.getByLabel('Search').fill(keyIds['Worker 121']!.slice(-10));
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => rows.first().textContent()).toContain('Worker 121');
    await page.getByLabel('Search').fill('');
    await page.getByLabel('State').selectOption('disabled');
    // The one row shown before (Worker 121) is replaced by the answer for the new filters.
    await expect.poll(() => rows.first().textContent()).toContain('Worker 110');
    await expect.poll(() => rows.count()).toBe(1);
    // "More keys" pages on within the filters: 125 workers, 100 then 25.
    await page.getByLabel('State').selectOption('all');
    await page.getByLabel('Search').fill('worker');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => rows.count()).toBe(100);
    await page.getByRole('button', { name: 'More keys' }).click();
    await expect.poll(() => rows.count()).toBe(125);
    expect(await page.getByRole('button', { name: 'More keys' }).count()).toBe(0);
    expect(await page.locator('table.keys').textContent()).not.toContain('Needle');
    await page.getByLabel('Search').fill('no such key anywhere');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('No keys match these filters.').waitFor();
  });

  it('cuts a long owner id short with the whole id in its tooltip, so the table keeps its width', async () => {
    await go('keys', 'Keys');
    const cell = page.locator(`tr[data-key-id="${keyIds['Worker 003']}"] .truncate[title="${LONG_OWNER}"]`);
    await cell.waitFor();
    expect(await cell.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
    const table = await page.locator('table.keys').boundingBox();
    const main = await page.locator('main').boundingBox();
    expect(table!.x + table!.width).toBeLessThanOrEqual(main!.x + main!.width);
    // Every column keeps room: the names are not squeezed into a sliver.
    expect((await page.locator('table.keys th', { hasText: 'Name' }).boundingBox())!.width).toBeGreaterThan(90);
    await shot('keys-long-owner');
  });

  it('tells a validation error as a sentence about the field, and clears an error once a later change succeeds', async () => {
    // An error shown for a key that cannot be opened…
    await page.goto('about:blank');
    await page.goto(`${server.url}/console/#/keys?key=key_0000000000000000000000`);
    await page.locator('.toast .error').waitFor();
    await page.getByRole('button', { name: 'Create a key' }).click();
    const form = page.locator('form.create-key');
    await form.getByLabel('Name', { exact: true }).fill('Bad scopes');
    await form.getByLabel('Scopes').fill('orders:read orders!write');
    await form.getByRole('button', { name: 'Create key' }).click();
    await form.getByText('Scopes may contain only letters, digits and _ . : / * -.').waitFor();
    expect(await form.locator('.form-error').textContent()).not.toMatch(/body\/|must match pattern/);
    await shot('validation-sentence');
    // …goes once a later change succeeds (the key, created, is shown once).
    await form.getByLabel('Scopes').fill('orders:read orders:write');
    await form.getByRole('button', { name: 'Create key' }).click();
    await page.getByTestId('new-key').waitFor();
    expect(await page.locator('.toast .error').count()).toBe(0);
  });

  it('plants a decoy, marks it as such, leaves it out of hygiene, and asks before enabling a key quarantined for a leak', async () => {
    // The decoy is planted from the console's key form.
    await go('keys', 'Keys');
    await page.getByRole('button', { name: 'Create a key' }).click();
    const create = page.locator('form.create-key');
    await create.getByLabel('Name', { exact: true }).fill('Payments backup');
    await create.getByLabel('A decoy (honeytoken)').check();
    await create.getByRole('button', { name: 'Create key' }).click();
    expect(await page.getByTestId('new-key').textContent()).toMatch(/^sk_live_/);
    const found = (await server.api('GET', `/v1/keys?keyspaceId=${keyspaceId}&q=payments%20backup`)).body.items;
    expect(found).toHaveLength(1);
    expect(found[0].decoy).toBe(true);
    const decoy = { body: { keyId: found[0].keyId as string } };
    const leaked = await createKey({ name: 'Leaky mobile app', ratelimits: [{ name: 'per-minute', limit: 60, windowMs: 60_000 }] });
    const report = await server.api('POST', '/v1/keys/leaked', { keys: [leaked.key], source: 'a public gist' });
    expect(report.body.items[0].status).toBe('quarantined');

    await go('keys', 'Keys');
    await page.getByLabel('Search').fill('payments backup');
    await page.getByRole('button', { name: 'Apply' }).click();
    const decoyRow = page.locator(`tr[data-key-id="${decoy.body.keyId}"]`);
    await decoyRow.locator('.badge.decoy').waitFor();
    await decoyRow.getByRole('button').click();
    await page
      .locator('.key-detail')
      .getByText(/A honeytoken: a decoy/)
      .waitFor();
    await shot('decoy');

    await page.getByLabel('Search').fill('leaky');
    await page.getByRole('button', { name: 'Apply' }).click();
    const leakRow = page.locator(`tr[data-key-id="${leaked.keyId}"]`);
    await leakRow.getByText('quarantined').waitFor();
    await leakRow.getByRole('button').click();
    const detail = page.locator('.key-detail');
    await detail
      .getByTestId('key-hold')
      .getByText(/Quarantined on .* UTC: disabled because it was reported leaked/)
      .waitFor();
    expect(await detail.locator('dl.attrs').textContent()).toContain('per-minute: 60 per minute');
    await shot('quarantined');
    await detail.getByRole('button', { name: 'Enable key' }).click();
    await detail.locator('.badge.active').waitFor();
    expect(dialogs.at(-1)).toMatch(/Leaky mobile app was quarantined on .* because it was reported leaked\. .*Enable it anyway\?/);
    // Lifted as the suspension's undo: recorded as such, and the suspension is over.
    const held = await server.api('GET', `/v1/suspensions?keyId=${leaked.keyId}`);
    expect(held.body.items[0].undoneBy).toMatch(/^user:usr_/);

    await server.services.monitoring.settle();
    await go('hygiene', 'Hygiene');
    await page.locator('section[data-finding="hy-never"]').locator(`tr[data-key-id="${keyIds['Worker 001']}"]`).waitFor();
    expect(await page.locator('main').textContent()).not.toContain('Payments backup');
    // A long owner id is cut short here too, and the page does not grow sideways.
    await page.locator(`section[data-finding="hy-never"] .truncate[title="${LONG_OWNER}"]`).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1281);
  });

  it('sets a keyspace policy on the Hygiene page and runs the sweep now', async () => {
    const defaults = (await server.api('GET', `/v1/keyspaces/${keyspaceId}/policy`)).body;
    await go('hygiene', 'Hygiene');
    const policy = page.getByRole('region', { name: 'Policy of Production' });
    await policy.getByText('The defaults apply.').waitFor();
    await policy.getByLabel('On an anomaly').selectOption('suspend');
    await policy.getByLabel('Suspend from severity').selectOption('critical');
    await policy.getByLabel('Expire keys unused for (days)').fill('30');
    await policy.getByRole('button', { name: 'Save the policy' }).click();
    await page.locator('.toast').getByText('The policy of Production is saved.').waitFor();
    await policy.getByText(/Last changed .* UTC\./).waitFor();
    expect((await server.api('GET', `/v1/keyspaces/${keyspaceId}/policy`)).body).toMatchObject({
      anomalyResponse: 'suspend',
      suspendMinSeverity: 'critical',
      autoExpireUnusedDays: 30,
      // The fields left alone keep what they were.
      autoExpireNoticeDays: defaults.autoExpireNoticeDays,
      expiringNoticeDays: defaults.expiringNoticeDays,
      creditsLowThreshold: defaults.creditsLowThreshold,
    });
    await policy.getByRole('button', { name: 'Run the hygiene sweep now' }).click();
    await page
      .locator('.toast')
      .getByText(/^Sweep done: \d+ expiring and \d+ credits-low notices, 0 expiries scheduled/)
      .waitFor();
    await policy.scrollIntoViewIfNeeded();
    await shot('keyspace-policy');
  });

  it('edits a key: only what changed is sent, and the page shows it', async () => {
    await go(`keys?key=${keyIds['Worker 005']}`, 'Keys');
    const detail = page.locator('.key-detail');
    await detail.getByRole('button', { name: 'Edit key' }).click();
    const form = detail.locator('form', { has: page.getByRole('heading', { name: 'Edit the key' }) });
    await form.getByLabel('Name').fill('Worker five');
    await form.getByLabel('Scopes').fill('orders:read, orders:write');
    await form.getByLabel('Metadata (JSON object)').fill('[1, 2]');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await form.getByText('Metadata must be a JSON object').waitFor();
    await form.scrollIntoViewIfNeeded();
    await shot('key-edit');
    await form.getByLabel('Metadata (JSON object)').fill('{"tier": "gold"}');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await page.locator('.toast').getByText('Saved: name, scopes, metadata.').waitFor();
    await detail.getByRole('heading', { level: 2, name: /Worker five/ }).waitFor();
    expect(await detail.locator('dl.attrs').textContent()).toContain('orders:read orders:write');
    expect((await server.api('GET', `/v1/keys/${keyIds['Worker 005']}`)).body).toMatchObject({
      name: 'Worker five',
      ownerId: 'acme',
      scopes: ['orders:read', 'orders:write'],
      meta: { tier: 'gold' },
      expiresAt: null,
    });
    const edits = (await server.api('GET', '/v1/audit?action=key.updated')).body.items;
    expect(edits[0]).toMatchObject({ target: keyIds['Worker 005'], details: { changed: ['name', 'scopes', 'meta'] } });
  });

  it('names console users and root keys in the audit log, and filters by an email or a root key name', async () => {
    const bot = await server.api('POST', '/v1/root-keys', { name: 'Deploy bot', permissions: ['keyspaces:manage'] });
    expect(bot.status).toBe(201);
    expect((await server.api('POST', '/v1/keyspaces', { name: 'Staging', prefix: 'sk_test' }, bot.body.key)).status).toBe(201);
    await go('audit', 'Audit log');
    await page.getByLabel('Actor').fill('Deploy bot');
    await page.getByRole('button', { name: 'Filter' }).click();
    const rows = page.locator('table.audit tbody tr');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toMatch(/Deploy bot.*keyspace\.created/);
    await page.getByLabel('Actor').fill(OWNER.toUpperCase());
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => rows.first().locator('td').nth(2).textContent()).toBe(OWNER);
    expect(await rows.first().locator('td').nth(2).getAttribute('title')).toMatch(/^user:usr_/);
    await shot('audit-names');
    await page.getByLabel('Actor').fill('nobody@example.test');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByText('No entries match these filters.').waitFor();
  });

  it('exports the keys the filters find as CSV, revokes every key of an owner, and deletes a key', async () => {
    await go('keys', 'Keys');
    await page.getByLabel('Search').fill('worker');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => page.locator('table.keys tbody tr').count()).toBe(100);
    // Every key the filters find, not only the 100 loaded.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export as CSV' }).click()]);
    const csv = readFileSync((await download.path())!, 'utf8').split('\r\n');
    expect(csv[0]).toBe('Name,Key id,Keyspace,Starts with,Owner,State,Created,Expires,Last used,Uses,Scopes');
    expect(csv.filter((l) => l.startsWith('Worker '))).toHaveLength(125);
    expect(csv.find((l) => l.startsWith('Worker 003,'))).toContain(`,${LONG_OWNER},`);
    expect(csv.find((l) => l.startsWith('Worker 110,'))).toContain(',disabled,');

    const globex = [await createKey({ name: 'Globex one', ownerId: 'globex' }), await createKey({ name: 'Globex two', ownerId: 'globex' })];
    await page.getByLabel('Search').fill('');
    await page.getByLabel('Owner').fill('globex');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => page.locator('table.keys tbody tr').count()).toBe(2);
    await page.getByRole('button', { name: 'Revoke every key of globex' }).click();
    expect(dialogs.at(-1)).toMatch(/^Revoke every live key of globex, in every keyspace\?/);
    await page.locator('.toast').getByText('Revoked 2 keys of globex.').waitFor();
    await expect.poll(() => page.locator('table.keys tbody .badge.revoked').count()).toBe(2);
    for (const k of globex) expect((await server.api('POST', '/v1/keys/verify', { key: k.key })).body.code).toBe('REVOKED');

    await page.locator(`tr[data-key-id="${globex[0]!.keyId}"]`).getByRole('button').click();
    await page.locator('.key-detail').getByRole('button', { name: 'Delete key' }).click();
    expect(dialogs.at(-1)).toMatch(/^Delete Globex one\?/);
    await expect.poll(() => page.locator('table.keys tbody tr').count()).toBe(1);
    expect(await page.locator('.key-detail').count()).toBe(0);
    expect((await server.api('GET', `/v1/keys/${globex[0]!.keyId}`)).status).toBe(404);
    await shot('bulk');
  });

  it('opens a link to a deleted key on a page that says it is deleted, with what the audit log kept', async () => {
    const gone = await createKey({ name: 'Short-lived import', ownerId: 'acme' });
    expect((await server.api('DELETE', `/v1/keys/${gone.keyId}`)).status).toBe(204);
    await go(`key?id=${gone.keyId}`, 'Deleted key');
    expect(await page.locator('main').textContent()).toContain(`The key ${gone.keyId} was deleted`);
    await expect.poll(() => page.locator('table.audit tbody').textContent()).toContain('key.deleted');
    await shot('deleted-key');
  });

  it('creates a recoverable keyspace, and reads one of its keys back on the key’s page, audited', async () => {
    await go('keys', 'Keys');
    await page.getByRole('button', { name: 'New keyspace' }).click();
    const form = page.getByRole('form', { name: 'Create a keyspace' });
    await form.getByLabel('Name').fill('Escrow');
    await form.getByLabel('Prefix').fill('sk_esc');
    await form.getByLabel('Recoverable keys').check();
    await form.getByRole('button', { name: 'Create keyspace' }).click();
    const listed = async () =>
      ((await server.api('GET', '/v1/keyspaces')).body.items as { id: string; name: string; recoverable: boolean }[]).find(
        (k) => k.name === 'Escrow',
      );
    await page.locator('.toast').getByText('The keyspace is created.').waitFor();
    await expect.poll(listed).toMatchObject({ recoverable: true });
    const escrow = (await listed())!.id;
    const made = (await server.api('POST', '/v1/keys', { keyspaceId: escrow, name: 'Escrowed partner key' })).body as {
      keyId: string;
      key: string;
    };
    await go(`key?id=${made.keyId}`, 'Escrowed partner key');
    expect(await page.locator('main').textContent()).not.toContain(made.key);
    await page.getByRole('button', { name: 'Show the key' }).click();
    await expect.poll(() => page.getByTestId('recovered-key').textContent()).toBe(made.key);
    await expect.poll(() => page.locator('table.audit tbody').textContent()).toContain('key.recovered');
    await shot('key-recovered');
    await page.getByRole('button', { name: 'Hide the key' }).click();
    expect(await page.locator('main').textContent()).not.toContain(made.key);
    // A key of a keyspace that is not recoverable offers no read.
    await go(`key?id=${keyIds['Worker 001']}`, 'Worker 001');
    expect(await page.getByRole('button', { name: 'Show the key' }).count()).toBe(0);
  });

  it('exports the audit log as JSON lines with its checkpoints, and signs a checkpoint now', async () => {
    await go('audit', 'Audit log');
    await page.getByRole('button', { name: 'Sign a checkpoint now' }).click();
    await page
      .locator('.toast')
      .getByText(/^Signed a checkpoint at entry #\d+/)
      .waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Export the log (JSON lines)' }).click(),
    ]);
    const lines = readFileSync((await download.path())!, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThan(100);
    expect(lines[0]).toMatchObject({ seq: 1 });
    expect(JSON.stringify(lines.at(-1))).toContain('signature');
    await shot('audit-export');
  });

  it('reports a leaked key from the Suspensions page: it is quarantined and listed', async () => {
    const found = await createKey({ name: 'Pasted deploy key', ownerId: 'acme' });
    await go('suspensions', 'Suspensions');
    const form = page.locator('form', { has: page.getByRole('heading', { name: 'Report a leaked key' }) });
    await form.getByRole('button', { name: 'Report' }).click();
    await form.getByText('Paste at least one key, one a line.').waitFor();
    await form.getByLabel('Keys found').fill(`${found.key}\nnot-a-key`);
    await form.getByLabel('Where they were found').fill('a public gist');
    await form.getByRole('button', { name: 'Report' }).click();
    await page
      .locator('.toast')
      .getByText(/: quarantined; .*: not a key\.$/)
      .waitFor();
    expect(await form.getByLabel('Keys found').inputValue()).toBe('');
    await page.locator('tr', { hasText: 'Pasted deploy key' }).waitFor();
    expect((await server.api('POST', '/v1/keys/verify', { key: found.key })).body.valid).toBe(false);
    await shot('leak-reported');
  });

  it('creates a root key with chosen permissions and keyspaces, shown once, shows its last use, and revokes it', async () => {
    await go('root-keys', 'Root keys');
    const form = page.locator('form', { has: page.getByRole('heading', { name: 'Create a root key' }) });
    await form.getByLabel('Name').fill('CI deployer');
    await form.getByLabel('keys:read', { exact: true }).check();
    await form.getByLabel('Production (sk_live)').check();
    await form.getByRole('button', { name: 'Create root key' }).click();
    const key = (await page.getByTestId('new-root key').textContent())!;
    const row = page.locator('tr', { hasText: 'CI deployer' });
    // The key is shown as soon as it is made; the list is read again after, so its row may come a moment later.
    await row.waitFor();
    expect(await row.locator('td').allTextContents()).toEqual(
      expect.arrayContaining(['CI deployer', 'keys:read', 'Production', 'never', 'active']),
    );
    // It holds what was chosen, and no more.
    expect((await server.api('GET', `/v1/keys?keyspaceId=${keyspaceId}&q=needle`, undefined, key)).body.items).toHaveLength(1);
    expect((await server.api('GET', '/v1/keys?q=needle', undefined, key)).status).toBe(404);
    expect((await server.api('POST', '/v1/keyspaces', { name: 'Nope', prefix: 'sk_nope' }, key)).status).toBe(403);
    await go('root-keys', 'Root keys');
    await row.getByText('just now').waitFor();
    await shot('root-keys');
    await row.getByRole('button', { name: 'Revoke the root key CI deployer' }).click();
    expect(dialogs.at(-1)).toMatch(/^Revoke the root key CI deployer\?/);
    await row.locator('.badge.revoked').waitFor();
    expect((await server.api('GET', `/v1/keys?keyspaceId=${keyspaceId}`, undefined, key)).status).toBe(401);
  });

  it('rolls a root key: the new key shown once, the old one working on for the minutes chosen', async () => {
    const made = await server.api('POST', '/v1/root-keys', { name: 'Nightly backup', permissions: ['keys:read'] });
    expect(made.status).toBe(201);
    await go('root-keys', 'Root keys');
    const roll = page.getByRole('form', { name: 'Roll a root key' });
    await roll.getByLabel('Root key').selectOption(made.body.id);
    await roll.getByLabel('Old key works on (minutes)').fill('5');
    await roll.getByRole('button', { name: 'Roll' }).click();
    await page.locator('.toast').getByText('Rolled Nightly backup: the old key keeps working for 5 minutes.').waitFor();
    const fresh = (await page.getByTestId('new-root key').textContent())!;
    expect(fresh).not.toBe(made.body.key);
    for (const key of [fresh, made.body.key]) expect((await server.api('GET', '/v1/keys?q=needle', undefined, key)).status).toBe(200);
    await shot('root-key-rolled');
  });

  it('skips to the current page’s content, and explains passkeys at an IP address', async () => {
    await go('settings', 'Settings');
    // The first stop of the keyboard on a page.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('main');
    expect(new URL(page.url()).hash).toBe('#/settings');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Settings');

    const advice = page.getByTestId('passkey-host');
    await advice.waitFor();
    const port = new URL(server.url).port;
    expect(await advice.textContent()).toContain(`http://localhost:${port}/console/`);
    expect(await advice.textContent()).toContain('TESSERA_CONSOLE_ORIGIN');
    await advice.scrollIntoViewIfNeeded();
    await shot('passkey-at-ip');
  });

  it('manages OAuth clients: creates one (its secret shown once), gives it a new secret, deletes it; no markup leaks', async () => {
    await go('oauth-clients', 'OAuth clients');
    await page.locator('main code', { hasText: 'tessera oauth clients' }).waitFor();
    expect(await page.locator('main').textContent()).not.toContain('`');
    const token = (id: string, secret: string) =>
      fetch(`${server.url}/oauth/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
        },
        body: 'grant_type=client_credentials',
      }).then((r) => r.status);

    const form = page.locator('form', { has: page.getByRole('heading', { name: 'Create an OAuth client' }) });
    await form.getByLabel('Name').fill('Billing service');
    await form.getByLabel('Scopes').fill('invoices:read, invoices:write');
    await form.getByLabel('Audience').fill('https://billing.example.test');
    await form.getByRole('button', { name: 'Create client' }).click();
    const first = (await page.getByTestId('new-client secret').textContent())!;
    const row = page.locator('tr', { hasText: 'Billing service' });
    await row.waitFor();
    const clientId = (await row.getAttribute('data-client-id'))!;
    expect(await row.textContent()).toContain('invoices:read invoices:write');
    expect(await token(clientId, first)).toBe(200);

    await row.getByRole('button', { name: 'New secret' }).click();
    await page.getByRole('heading', { name: /New secret of Billing service\. The old secret no longer works/ }).waitFor();
    const second = (await page.getByTestId('new-client secret').textContent())!;
    expect(second).not.toBe(first);
    expect(await token(clientId, second)).toBe(200);
    expect(await token(clientId, first)).toBe(401);
    await shot('oauth-clients');

    await row.getByRole('button', { name: 'Delete the OAuth client Billing service' }).click();
    await page.getByText('No OAuth clients yet.').waitFor();
    expect(await token(clientId, second)).toBe(401);
  });

  it('creates a public OAuth client for people to sign in through, says what is missing, and edits its grants', async () => {
    await go('oauth-clients', 'OAuth clients');
    const form = page.locator('form', { has: page.getByRole('heading', { name: 'Create an OAuth client' }) });
    await form.getByLabel('Name').fill('Dashboard SPA');
    await form.getByRole('checkbox', { name: /Client credentials/ }).uncheck();
    await form.getByRole('checkbox', { name: /Authorization code/ }).check();
    await form.getByLabel('How it authenticates').selectOption('none');
    await form.getByRole('button', { name: 'Create client' }).click();
    await form.getByText('The authorization code grant needs at least one redirect URI').waitFor();
    await form.getByLabel('Redirect URIs').fill('https://dash.example.test/callback\nhttp://127.0.0.1/callback');
    await form.getByRole('checkbox', { name: /Token exchange/ }).check();
    await form.getByRole('button', { name: 'Create client' }).click();
    await form.getByText('A public client has no secret, so it cannot use client credentials or token exchange').waitFor();
    await form.getByRole('checkbox', { name: /Token exchange/ }).uncheck();
    await form.getByRole('checkbox', { name: /Device code/ }).check();
    await form.getByLabel('After sign-out, back to').fill('https://dash.example.test/');
    await form.getByRole('checkbox', { name: /Require pushed authorization requests/ }).check();
    await form.getByLabel('Scopes').fill('profile dashboards:read');
    await form.getByRole('button', { name: 'Create client' }).click();
    await page.locator('.toast').getByText('Created the OAuth client Dashboard SPA, a public client with no secret.').waitFor();
    const row = page.locator('tr', { hasText: 'Dashboard SPA' });
    expect(await row.textContent()).toContain('public: no secret');
    expect(await row.textContent()).toContain('2 redirect URIs');
    expect(await row.textContent()).toContain('requires PAR');
    const clientId = (await row.getAttribute('data-client-id'))!;
    expect((await server.api('GET', `/v1/oauth/clients/${clientId}`)).body).toMatchObject({
      grantTypes: ['authorization_code', 'urn:ietf:params:oauth:grant-type:device_code'],
      tokenEndpointAuthMethod: 'none',
      requirePar: true,
      redirectUris: ['https://dash.example.test/callback', 'http://127.0.0.1/callback'],
      postLogoutRedirectUris: ['https://dash.example.test/'],
      scopes: ['profile', 'dashboards:read'],
    });
    await shot('oauth-public-client');

    await row.getByRole('button', { name: 'Edit the OAuth client Dashboard SPA' }).click();
    const edit = page.locator('form', { has: page.getByRole('heading', { name: 'Edit Dashboard SPA' }) });
    await edit.getByRole('checkbox', { name: /Refresh token/ }).check();
    await edit.getByLabel('Redirect URIs').fill('https://dash.example.test/callback#here');
    await edit.getByRole('button', { name: 'Save client' }).click();
    await edit.getByText('is not a redirect URI').waitFor();
    await edit.getByLabel('Redirect URIs').fill('https://dash.example.test/callback');
    await shot('oauth-client-edit');
    await edit.getByRole('button', { name: 'Save client' }).click();
    await page.locator('.toast').getByText('Saved the OAuth client Dashboard SPA.').waitFor();
    expect((await server.api('GET', `/v1/oauth/clients/${clientId}`)).body).toMatchObject({
      grantTypes: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
      requirePar: true,
      redirectUris: ['https://dash.example.test/callback'],
    });
    // A rule the server keeps that the form does not check still reads as a sentence.
    await row.getByRole('button', { name: 'Edit the OAuth client Dashboard SPA' }).click();
    await edit.getByLabel('Redirect URIs').fill('ftp://dash.example.test/callback');
    await edit.getByRole('button', { name: 'Save client' }).click();
    await edit.locator('.form-error .error').waitFor();
    const said = (await edit.locator('.form-error').textContent())!;
    expect(said).not.toMatch(/body\/|must match|must NOT/);
    expect((await server.api('DELETE', `/v1/oauth/clients/${clientId}`)).status).toBe(204);
  });

  it('manages the workspace’s end users: creates one, disables and enables them, signs them out everywhere, deletes them', async () => {
    await go('end-users', 'End users');
    await page.getByText('No end users yet.').waitFor();
    const form = page.locator('form', { has: page.getByRole('heading', { name: 'Create an end user' }) });
    await form.getByLabel('Email', { exact: true }).fill('ada@example.test');
    await form.getByLabel('Password').fill('too short');
    await form.getByRole('button', { name: 'Create end user' }).click();
    await form.getByText('The password needs at least 12 characters.').waitFor();
    await form.getByLabel('Password').fill('correct horse battery staple');
    await form.getByLabel('Name').fill('Ada Lovelace');
    await form.getByLabel('I checked that this email belongs to the person').check();
    await form.getByRole('button', { name: 'Create end user' }).click();
    const row = page.locator('table.end-users tbody tr', { hasText: 'ada@example.test' });
    await row.waitFor();
    expect(await row.locator('td').allTextContents()).toEqual(
      expect.arrayContaining(['ada@example.test', 'Ada Lovelace', 'yes', 'never', 'active']),
    );
    const userId = (await row.getAttribute('data-end-user-id'))!;
    // The same address again: the server's answer, as a sentence.
    await form.getByLabel('Email', { exact: true }).fill('ADA@example.test');
    await form.getByLabel('Password').fill('correct horse battery staple');
    await form.getByRole('button', { name: 'Create end user' }).click();
    await form.getByText('This workspace has a user with that email already.').waitFor();
    await shot('end-users');

    await row.getByRole('button', { name: 'Disable ada@example.test' }).click();
    expect(dialogs.at(-1)).toMatch(/^Disable ada@example\.test\?/);
    await row.locator('.badge.disabled').waitFor();
    expect((await server.api('GET', `/v1/users/${userId}`)).body.disabled).toBe(true);
    await row.getByRole('button', { name: 'Enable ada@example.test' }).click();
    await row.locator('.badge.active').waitFor();
    expect((await server.api('GET', `/v1/users/${userId}`)).body.disabled).toBe(false);
    // The apps the user allowed: one consent, as the authorization endpoint remembers it.
    const client = (
      await server.api('POST', '/v1/oauth/clients', {
        name: 'Notes',
        scopes: ['notes:read'],
        grantTypes: ['authorization_code'],
        redirectUris: ['https://notes.example/cb'],
        tokenEndpointAuthMethod: 'none',
      })
    ).body.clientId as string;
    const now = Date.now();
    await server.db.ports.oauth.saveConsent({
      userId,
      clientId: client,
      workspaceId: 'ws_default',
      scope: ['openid', 'notes:read'],
      createdAt: now,
      updatedAt: now,
    });
    await row.getByRole('button', { name: 'Apps ada@example.test allowed' }).click();
    const apps = page.locator('section', { has: page.getByRole('heading', { name: 'Apps ada@example.test allowed' }) });
    const grant = apps.locator('tbody tr', { hasText: 'Notes' });
    await grant.waitFor();
    expect(await grant.locator('td').allTextContents()).toEqual(expect.arrayContaining(['Notes', 'openid notes:read', '0']));
    await shot('end-user-apps');
    await grant.getByRole('button', { name: 'Revoke Notes' }).click();
    expect(dialogs.at(-1)).toMatch(/^Revoke Notes’s access for ada@example\.test\?/);
    await apps.getByText('No app holds access for this user.').waitFor();
    expect((await server.api('GET', `/v1/users/${userId}/grants`)).body.items).toEqual([]);
    await apps.getByRole('button', { name: 'Close Apps ada@example.test allowed' }).click();
    await apps.waitFor({ state: 'detached' });
    expect((await server.api('DELETE', `/v1/oauth/clients/${client}`)).status).toBe(204);
    await row.getByRole('button', { name: 'Sign out ada@example.test everywhere' }).click();
    expect(dialogs.at(-1)).toMatch(/^Sign ada@example\.test out everywhere\?/);
    await page.getByText('Signed ada@example.test out everywhere: 0 grant(s) revoked, 0 consent(s) forgotten.').waitFor();
    expect((await server.api('GET', `/v1/audit?action=end_user.sessions_ended&target=${userId}`)).body.items).toHaveLength(1);
    await row.getByRole('button', { name: 'Delete ada@example.test' }).click();
    await page.getByText('No end users yet.').waitFor();
    expect((await server.api('GET', `/v1/users/${userId}`)).status).toBe(404);
  });

  it('edits a keyspace’s gateway routes: rules in order, checked before they are sent', async () => {
    await go('gateway', 'Gateway routes');
    await page.getByLabel('Keyspace').selectOption(keyspaceId);
    await page.getByText('Never set: every request is refused.').waitFor();
    await page.getByRole('button', { name: 'Add a rule' }).click();
    await page.getByLabel('Rule 1 methods').fill('get, head');
    await page.getByLabel('Rule 1 path').fill('/orders/**');
    await page.getByLabel('Rule 1 scopes').fill('orders:read');
    await page.getByRole('button', { name: 'Add a rule' }).click();
    await page.getByLabel('Rule 2 path').fill('status');
    await page.getByRole('button', { name: 'Save routes' }).click();
    await page.getByText('Rule 2: the path must start with /, such as /orders/**.').waitFor();
    await page.getByLabel('Rule 2 path').fill('/status');
    await page.getByRole('button', { name: 'Move rule 2 up' }).click();
    expect(await page.getByLabel('Rule 1 path').inputValue()).toBe('/status');
    await page.getByLabel('Key header').fill('x-api-key');
    await page.getByRole('button', { name: 'Save routes' }).click();
    await page.locator('.toast').getByText('The gateway routes of Production are saved: 2 rules.').waitFor();
    expect((await server.api('GET', `/v1/keyspaces/${keyspaceId}/gateway-routes`)).body).toMatchObject({
      keyHeader: 'x-api-key',
      rules: [{ path: '/status' }, { methods: ['GET', 'HEAD'], path: '/orders/**', scopes: 'orders:read' }],
      audience: null,
    });
    await page.getByText(/^Last saved/).waitFor();
    await shot('gateway-routes');
    await page.getByRole('button', { name: 'Remove rule 1' }).click();
    await page.getByRole('button', { name: 'Save routes' }).click();
    await page.locator('.toast').getByText('The gateway routes of Production are saved: 1 rule.').waitFor();
    expect((await server.api('GET', `/v1/keyspaces/${keyspaceId}/gateway-routes`)).body.rules).toEqual([
      { methods: ['GET', 'HEAD'], path: '/orders/**', scopes: 'orders:read' },
    ]);
  });

  it('keeps Sign out on screen in a narrow window', async () => {
    await page.setViewportSize({ width: 760, height: 800 });
    await go('keys', 'Keys');
    const signOut = page.getByRole('button', { name: 'Sign out' });
    const box = (await signOut.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(760);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(760 + 1);
    await shot('narrow');
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it('tells a viewer who opens a page they may not see that they lack the permission', async () => {
    await signInAs(VIEWER);
    await go('oauth-clients', 'You do not have permission to see OAuth clients');
    expect(new URL(page.url()).hash).toBe('#/oauth-clients');
    expect(await page.locator('main').textContent()).toContain('Your role, viewer, does not include this page.');
    // Nothing of the page itself loaded, and the navigation does not offer it.
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'OAuth clients' }).count()).toBe(0);
    await shot('no-permission');
    expect(problems).toEqual([]);
  });
});
