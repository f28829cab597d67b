import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres.js';
import { signedWith, startWebhookReceiver } from '../support/webhook-receiver.js';
import { launchChromium } from './support/chromium.js';
import { enrolledUser, startConsoleServer, type ConsoleServer } from './support/console-server.js';

const DAY = 86_400_000;
const ADMIN = { username: 'tessera_admin', password: 'admin-Pw-console-4q8x' };
// Screenshots are kept where TESSERA_CONSOLE_SHOTS says; otherwise taken into a temporary directory removed at the end.
const SHOTS = process.env.TESSERA_CONSOLE_SHOTS ?? mkdtempSync(join(tmpdir(), 'tessera-rotation-shots-'));

/** A client-credentials token request; answers the token, or null when the secret is refused. */
async function token(server: ConsoleServer, clientId: string, secret: string): Promise<string | null> {
  const res = await fetch(`${server.url}/oauth/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: 'Basic ' + Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64'),
    },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  return res.status === 200 ? ((await res.json()) as { access_token: string }).access_token : null;
}

/**
 * The console's screens for rotation and dynamic credentials, in Chromium against a real Tessera
 * (SQLite) and a PostgreSQL cluster of this file's own with password authentication: a keyspace's
 * rotation policy and what it does to existing keys, keys due for rotation, a usage-driven
 * rollover, the OAuth signing keys and an emergency retire, a client's secret-rotation schedule,
 * database credentials that log in until they are revoked, and secrets rotated by PostgreSQL
 * alternating users and by a webhook endpoint. One browser, one page, in order.
 */
describe('rotation and dynamic credentials in the console (Chromium)', { timeout: 60_000 }, () => {
  let server: ConsoleServer;
  let cluster: PrivatePostgres;
  let superuser: pg.Client;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  let keyspaceId: string;
  /** Made 33 days ago: due for rotation once the policy rotates every 30 days. */
  let old: { keyId: string; key: string };
  let mobile: { keyId: string; key: string };
  let client: { clientId: string; clientSecret: string };
  const errors: string[] = [];

  /**
   * A full-page screenshot. Taking one resizes the window for a moment, and Chromium then scrolls
   * a focused field back into view, late enough to move the next click's target: the field is
   * left first.
   */
  const shot = async (name: string) => {
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  };

  const go = async (path: string, heading: string) => {
    await page.goto('about:blank');
    await page.goto(`${server.url}/console/#/${path}`);
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
    await poll(() => page.locator('[aria-busy="true"]').count()).toBe(0);
  };
  /** The machine may be busy: a page's answers get ten seconds to arrive. */
  const poll = <T>(fn: () => Promise<T>) => expect.poll(fn, { timeout: 10_000 });
  const toast = async (text: string | RegExp) => {
    try {
      await page.getByRole('status').getByText(text).waitFor({ timeout: 10_000 });
    } catch (err) {
      await shot('failed');
      throw err;
    }
  };
  const getKey = async (keyId: string) => (await server.api('GET', `/v1/keys/${keyId}`)).body;

  beforeAll(async () => {
    [server, cluster] = await Promise.all([startConsoleServer(), startPrivatePostgres()]);
    superuser = new pg.Client({
      host: cluster.host,
      port: cluster.port,
      database: 'postgres',
      user: 'postgres',
      password: cluster.superuser.password,
    });
    await superuser.connect();
    await superuser.query(`CREATE ROLE ${ADMIN.username} LOGIN CREATEROLE PASSWORD '${ADMIN.password}'`);
    await superuser.query(`GRANT pg_signal_backend TO ${ADMIN.username}`);
    await superuser.query('CREATE TABLE orders (id int); INSERT INTO orders VALUES (1), (2)');
    await superuser.query(`GRANT SELECT ON orders TO ${ADMIN.username} WITH GRANT OPTION`);

    const { c } = await enrolledUser(server, 'owner@example.test', 'a long console password');
    keyspaceId = (await server.api('POST', '/v1/keyspaces', { name: 'Production', prefix: 'sk_live' })).body.id;
    server.clock.skip(-33 * DAY);
    old = (await server.api('POST', '/v1/keys', { keyspaceId, name: 'Billing service', ownerId: 'acme' })).body;
    server.clock.skip(33 * DAY);
    mobile = (await server.api('POST', '/v1/keys', { keyspaceId, name: 'Mobile app', ownerId: 'acme' })).body;
    expect((await getKey(old.keyId)).expiresAt).toBeNull();

    browser = await launchChromium();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    const [name, value] = c.cookie!.split('=') as [string, string];
    await browser.context.addCookies([{ name, value, url: server.url }]);
    page.on('dialog', (d) => void d.accept());
    page.on('pageerror', (e) => errors.push(e.message));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await superuser?.end();
    await cluster?.stop();
    if (process.env.TESSERA_CONSOLE_SHOTS === undefined) rmSync(SHOTS, { recursive: true, force: true });
    else console.info(`console-rotation screenshots: ${SHOTS}`);
  });

  it('sets a rotation policy, saying first what a maximum lifetime does to the keys there', async () => {
    await go(`hygiene?keyspace=${keyspaceId}`, 'Hygiene');
    await page.getByLabel('Maximum key lifetime (days)').fill('90');
    const preview = page.getByTestId('lifetime-preview');
    await expect
      .poll(() => preview.textContent())
      .toMatch(/^Saving this gives 2 existing keys of Production an expiry on .*Billing service, Mobile app/);
    await page.getByLabel('Rotate keys every (days)').fill('30');
    await page.getByLabel('Rotation notice (days)').fill('5');
    await page.getByLabel('Rotation grace (days)').fill('7');
    await shot('rotation-policy');
    await page.getByRole('button', { name: 'Save the policy' }).click();
    await toast('The policy of Production is saved.');
    expect((await server.api('GET', `/v1/keyspaces/${keyspaceId}/policy`)).body).toMatchObject({
      maxKeyLifetimeDays: 90,
      rotationIntervalDays: 30,
      rotationNoticeDays: 5,
      rotationGraceDays: 7,
    });
    // The existing keys got an expiry at the limit.
    for (const k of [old, mobile]) expect(Date.parse((await getKey(k.keyId)).expiresAt) - server.clock.now()).toBeGreaterThan(89 * DAY);
    // The sweep tells the owner of the key due 3 days ago, and gives it an expiry at the end of the
    // grace counted from now: its owner hears of the schedule only now.
    const before = server.clock.now();
    await page.getByRole('button', { name: 'Run the hygiene sweep now' }).click();
    await toast(/^Sweep done/);
    const due = await getKey(old.keyId);
    expect(Date.parse(due.rotationDueAt)).toBeLessThan(before - 2 * DAY);
    expect(Date.parse(due.expiresAt)).toBeGreaterThanOrEqual(before + 7 * DAY);
    expect(Date.parse(due.expiresAt)).toBeLessThanOrEqual(server.clock.now() + 7 * DAY);
  });

  it('tunes the keyspace’s anomaly detection on the same form: sensitivity, quiet hours, known networks', async () => {
    await go(`hygiene?keyspace=${keyspaceId}`, 'Hygiene');
    await page.getByLabel('Quiet hours (UTC)').fill('0-4, 25');
    await page.getByRole('button', { name: 'Save the policy' }).click();
    await page.getByRole('alert').getByText('Quiet hours: "25" is not an hour').waitFor({ timeout: 10_000 });
    await page.getByLabel('Sensitivity').fill('2');
    await page.getByLabel('Quiet hours (UTC)').fill('23, 0-4');
    await page.getByLabel('Known networks').fill('203.0.113.0/24\n2001:db8::/48');
    await page.getByRole('button', { name: 'Save the policy' }).click();
    await toast('The policy of Production is saved.');
    expect((await server.api('GET', `/v1/keyspaces/${keyspaceId}/policy`)).body).toMatchObject({
      detectionSensitivity: 2,
      quietHours: [0, 1, 2, 3, 4, 23],
      knownNetworks: ['203.0.113.0/24', '2001:db8::/48'],
      maxKeyLifetimeDays: 90, // the rotation half kept
    });
    await go(`hygiene?keyspace=${keyspaceId}`, 'Hygiene');
    await poll(() => page.getByLabel('Quiet hours (UTC)').inputValue()).toBe('0, 1, 2, 3, 4, 23');
  });

  it('shows which keys are due for rotation, and when they expire', async () => {
    await go(`keys?keyspace=${keyspaceId}`, 'Keys');
    const row = page.locator(`tr[data-key-id="${old.keyId}"]`);
    await poll(() => row.textContent()).toMatch(/rotation due\s*expires/);
    expect(await page.locator(`tr[data-key-id="${mobile.keyId}"]`).textContent()).not.toContain('rotation due');
    await shot('keys-rotation-due');
    await row.getByRole('button', { name: 'Billing service' }).click();
    await poll(() => page.getByTestId('rotation-due').textContent()).toMatch(/^due since .*Unless it is rolled, it expires /);
    await shot('key-rotation-due');
  });

  it('rolls a key to retire the old one once the new one is in use and quiet, and follows the rollover', async () => {
    await page.locator(`tr[data-key-id="${mobile.keyId}"]`).getByRole('button', { name: 'Mobile app' }).click();
    await page.getByRole('heading', { level: 2, name: /Mobile app/ }).waitFor();
    await page.getByLabel('Retire the old key once the new one is in use and the old one is quiet').check();
    await page.getByLabel('Quiet period', { exact: true }).fill('2');
    await page.getByLabel('Quiet period: unit').selectOption('hours');
    await page.getByLabel('Deadline: the old key expires at the latest after', { exact: true }).fill('10');
    await shot('key-roll-usage');
    await page.getByRole('button', { name: 'Roll key' }).click();
    const successor = (await page.getByTestId('new-key').textContent())!;
    const rollover = (await server.api('GET', `/v1/keys/${mobile.keyId}/rollover`)).body;
    expect(rollover).toMatchObject({ state: 'pending_first_use', quietPeriodSeconds: 7200 });
    expect(Date.parse(rollover.deadline) - Date.parse(rollover.createdAt)).toBe(10 * DAY);

    // The new key is used; the rollover job sees it.
    expect((await server.api('POST', '/v1/keys/verify', { key: successor })).body.code).toBe('VALID');
    expect((await server.api('POST', '/v1/keys/verify', { key: mobile.key })).body.code).toBe('VALID');
    await server.services.usage.flush();
    await server.services.rollovers.retireDue();
    await page.locator(`tr[data-key-id="${mobile.keyId}"]`).getByRole('button', { name: 'Mobile app' }).click();
    const status = page.getByTestId('rollover');
    await poll(() => status.textContent()).toMatch(/new key in use.*in use since.*Old key last seen.*Retires at/);
    expect(await page.getByRole('button', { name: 'Roll key' }).count()).toBe(0); // roll its replacement instead
    await poll(() => page.locator('dd', { hasText: 'not due: rolled' }).count()).toBe(1);
    await shot('key-rollover');

    await go(`hygiene?keyspace=${keyspaceId}`, 'Hygiene');
    const listed = page.locator(`section.rollovers tr[data-key-id="${mobile.keyId}"]`);
    await poll(() => listed.textContent()).toMatch(/^Mobile appnew key in use/);
    await listed.scrollIntoViewIfNeeded();
    await shot('rollovers');
  });

  it('rolls with no quiet period: shows a client still on the old key, then the old key retired at the new one’s first use', async () => {
    const open = async () => {
      await go(`keys?keyspace=${keyspaceId}&key=${old.keyId}`, 'Keys');
      await page.getByRole('heading', { level: 2, name: /Billing service/ }).waitFor();
    };
    await open();
    await page.getByLabel('Retire the old key once the new one is in use and the old one is quiet').check();
    await page.getByLabel('Quiet period', { exact: true }).fill('0');
    await page.getByRole('button', { name: 'Roll key' }).click();
    const successor = (await page.getByTestId('new-key').textContent())!;
    expect((await server.api('GET', `/v1/keys/${old.keyId}/rollover`)).body).toMatchObject({ quietPeriodSeconds: 0 });
    // The client has not switched: it still uses the old key, and the console says so.
    expect((await server.api('POST', '/v1/keys/verify', { key: old.key })).body.code).toBe('VALID');
    await server.services.usage.flush();
    await open();
    const status = page.getByTestId('rollover');
    await poll(() => status.textContent()).toMatch(
      /new key not used yet.*not used yet.*Old key last seen.*just now.*Quiet periodnone: the old key retires once the new one is seen in use.*the deadline: the new key is not in use yet/,
    );
    await shot('key-rollover-quiet-0');
    // It switches: at the job's next pass the old key is revoked.
    expect((await server.api('POST', '/v1/keys/verify', { key: successor })).body.code).toBe('VALID');
    await server.services.usage.flush();
    expect(await server.services.rollovers.retireDue()).toMatchObject({ retired: 1 });
    expect((await server.api('POST', '/v1/keys/verify', { key: old.key })).body.code).toBe('REVOKED');
    await open();
    await poll(() => status.textContent()).toMatch(/old key retired.*Retired.*because its traffic had stopped/);
  });

  it('retires an OAuth signing key at once, behind a typed confirmation', async () => {
    client = (
      await server.api('POST', '/v1/oauth/clients', { name: 'Reporting', grantTypes: ['client_credentials'], scopes: ['reports:read'] })
    ).body as { clientId: string; clientSecret: string };
    const before = (await token(server, client.clientId, client.clientSecret))!;
    const kid = JSON.parse(Buffer.from(before.split('.')[0]!, 'base64url').toString()).kid as string;
    await go('oauth-clients', 'OAuth clients');
    await poll(() => page.getByTestId('rotation-period').textContent()).toMatch(/^Each key signs for 30 days/);
    await page.getByRole('button', { name: `Retire the signing key ${kid} now` }).click();
    const retire = page.getByRole('button', { name: 'Retire the key' });
    expect(await retire.isDisabled()).toBe(true);
    await page.getByLabel('Reason (for the audit log)').fill('exposed in a backup');
    await page.getByLabel(`Type ${kid.slice(0, 8)} to confirm`).fill(kid.slice(0, 8));
    await shot('signing-key-retire');
    await retire.click();
    await toast(`Retired the signing key ${kid}.`);
    await poll(() => page.locator(`tr[data-kid="${kid}"]`).count()).toBe(0);
    const jwks = (await (await fetch(`${server.url}/oauth/jwks`)).json()) as { keys: { kid: string }[] };
    expect(jwks.keys.map((k) => k.kid)).not.toContain(kid);
    const introspected = await fetch(`${server.url}/oauth/introspect`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: 'Basic ' + Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64'),
      },
      body: new URLSearchParams({ token: before }),
    });
    expect(await introspected.json()).toMatchObject({ active: false });
    await shot('signing-keys');
  });

  it('schedules a client secret’s rotation and rotates it now, the new secret shown once', async () => {
    await page.getByRole('button', { name: 'Secret rotation schedule of Reporting' }).click();
    await page.getByLabel('Rotate the secret every (days)').fill('90');
    await page.getByLabel('Overlap', { exact: true }).fill('2');
    await page.getByLabel('Overlap: unit').selectOption('days');
    await page.getByRole('button', { name: 'Save the schedule' }).click();
    await toast('The secret of Reporting now falls due every 90 days.');
    const scheduled = (await server.api('GET', `/v1/oauth/clients/${client.clientId}`)).body;
    expect(scheduled.secretRotation).toEqual({ intervalDays: 90, overlapSeconds: 2 * 86_400 });
    const row = page.locator(`tr[data-client-id="${client.clientId}"]`);
    await poll(() => row.textContent()).toContain(new Date(scheduled.secretRotationDueAt).getUTCFullYear().toString());
    await page.getByRole('button', { name: 'Rotate the secret now' }).click();
    const fresh = (await page.getByTestId('new-client secret').textContent())!;
    await poll(() => page.getByRole('alert').filter({ hasText: 'The old secret keeps working for 2 days' }).count()).toBe(1);
    expect(await token(server, client.clientId, fresh)).not.toBeNull();
    expect(await token(server, client.clientId, client.clientSecret)).not.toBeNull(); // the overlap
    await shot('client-secret-schedule');
  });

  it('registers a database, writes roles, and hands out a login that works until it is revoked', async () => {
    await go('databases', 'Databases');
    await shot('databases-empty');
    const connect = page.getByRole('form', { name: 'Register a PostgreSQL connection' });
    await connect.getByLabel('Name').fill('orders');
    await connect.getByLabel('Host').fill(cluster.host);
    await connect.getByLabel('Port').fill(String(cluster.port));
    await connect.getByLabel('Database').fill('postgres');
    await connect.getByLabel('TLS').selectOption('disable');
    await connect.getByLabel('Admin login').fill(ADMIN.username);
    await connect.getByLabel('Admin password').fill('not-the-password');
    await connect.getByRole('button', { name: 'Save the connection' }).click();
    await poll(() => connect.getByRole('alert').textContent()).toMatch(/password authentication failed for user "tessera_admin"/);
    await connect.getByLabel('Admin password').fill(ADMIN.password);
    await connect.getByRole('button', { name: 'Save the connection' }).click();
    await toast(`Tessera logged in to postgres on ${cluster.host} as ${ADMIN.username}: the connection orders is saved.`);
    await poll(() => page.locator('tr[data-connection="orders"]').count()).toBe(1);
    expect(await page.content()).not.toContain(ADMIN.password);

    const role = page.getByRole('form', { name: 'Write a role' });
    await role.getByLabel('Name').fill('readonly');
    await role.getByLabel('Default TTL', { exact: true }).fill('1');
    await role.getByLabel('Default TTL: unit').selectOption('hours');
    await role.getByLabel('Maximum TTL', { exact: true }).fill('24');
    await role.getByLabel('Maximum TTL: unit').selectOption('hours');
    await role.getByRole('button', { name: 'Save the role' }).click();
    await toast('The role readonly is saved.');
    // A role whose revocation fails: its lease stays revoking, with the error.
    await role.getByLabel('Name').fill('broken');
    await role.getByLabel('Revocation statements (optional)').fill('SELECT 1/0;');
    await role.getByRole('button', { name: 'Save the role' }).click();
    await poll(() => role.getByRole('alert').textContent()).toBe('The revocation statements must use {{name}}');
    await role.getByLabel('Revocation statements (optional)').fill('ALTER ROLE {{name}} NOLOGIN; SELECT 1/0;');
    await role.getByRole('button', { name: 'Save the role' }).click();
    await toast('The role broken is saved.');
    const roles = (await server.api('GET', '/v1/databases/roles')).body.items as {
      name: string;
      defaultTtlSeconds: number;
      maxTtlSeconds: number;
    }[];
    expect(roles.find((r) => r.name === 'readonly')).toMatchObject({ defaultTtlSeconds: 3600, maxTtlSeconds: 86_400 });

    const request = page.getByRole('form', { name: 'Request a credential of readonly' });
    await request.getByLabel('Lives for', { exact: true }).fill('30');
    await request.getByRole('button', { name: 'Request a credential' }).click();
    const password = (await page.getByTestId('new-password').textContent())!;
    const title = (await page.getByRole('heading', { name: /^Credential of readonly: log in as / }).textContent())!;
    const login = title.replace('Credential of readonly: log in as ', '');
    expect(login).toMatch(/^t_readonly_[a-z0-9]{16}$/);
    const lease = (await server.api('GET', '/v1/databases/leases?role=readonly')).body.items[0];
    expect(lease).toMatchObject({ login, state: 'active' });
    expect(lease.issuedTo).toMatch(/^user:usr_/); // the console user who asked
    expect(Date.parse(lease.expiresAt) - Date.parse(lease.issuedAt)).toBe(30 * 60_000);
    await poll(() => page.getByRole('alert').filter({ hasText: lease.leaseId }).count()).toBe(1);
    await shot('database-credential');
    const connectAs = async () => {
      const c = new pg.Client({ host: cluster.host, port: cluster.port, database: 'postgres', user: login, password });
      c.on('error', () => {});
      await c.connect();
      const { rows } = await c.query('select count(*)::int as n from orders');
      await c.end();
      return rows;
    };
    expect(await connectAs()).toEqual([{ n: 2 }]);

    const row = page.locator(`tr[data-lease-id="${lease.leaseId}"]`);
    await poll(() => row.getByTestId('lease-issued-to').textContent()).toBe(lease.issuedTo);
    await row.getByRole('button', { name: `Renew the lease of ${login}` }).click();
    await toast(/^Renewed: /);
    expect((await server.api('GET', `/v1/databases/leases/${lease.leaseId}`)).body.renewals).toBe(1);
    await row.getByRole('button', { name: `Revoke the lease of ${login}` }).click();
    await toast(`Revoked: ${login} is dropped and can no longer log in.`);
    await poll(() => row.textContent()).toMatch(/revoked.*revoked by hand/);
    await expect(connectAs()).rejects.toMatchObject({ code: '28P01' });

    await page.getByRole('form', { name: 'Request a credential of broken' }).getByRole('button', { name: 'Request a credential' }).click();
    const brokenLogin = (await page.getByRole('heading', { name: /^Credential of broken: log in as / }).textContent())!.replace(
      'Credential of broken: log in as ',
      '',
    );
    await page.getByRole('button', { name: `Revoke the lease of ${brokenLogin}` }).click();
    await toast(/could not be dropped yet \(.*division by zero.*\); Tessera keeps trying\./);
    const failing = page.locator('tr', { hasText: brokenLogin });
    await poll(() => failing.textContent()).toMatch(/revoking\s*Attempt 1 failed: .*division by zero/);
    await failing.scrollIntoViewIfNeeded();
    await shot('database-leases');
    expect(errors).toEqual([]);
  });

  it('rotates a secret by PostgreSQL alternating users: the new value logs in, the old one still does', async () => {
    // Two logins of one group role, made by the connection's admin (so it may set their passwords).
    await superuser.query('CREATE ROLE orders_app NOLOGIN; GRANT SELECT ON orders TO orders_app');
    await superuser.query(`GRANT orders_app TO ${ADMIN.username} WITH ADMIN OPTION`);
    const admin = new pg.Client({
      host: cluster.host,
      port: cluster.port,
      database: 'postgres',
      user: ADMIN.username,
      password: ADMIN.password,
    });
    await admin.connect();
    const initial = { username: 'orders_app_a', password: 'initial-Pw-console-7k2m' };
    await admin.query(`CREATE ROLE orders_app_a LOGIN IN ROLE orders_app PASSWORD '${initial.password}'`);
    await admin.query("CREATE ROLE orders_app_b LOGIN IN ROLE orders_app PASSWORD 'unknown-Pw-console-0000'");
    await admin.end();
    expect((await server.api('PUT', '/v1/secrets/orders/app', { value: JSON.stringify(initial) })).status).toBe(200);
    const count = async (c: { username: string; password: string }) => {
      const client = new pg.Client({
        host: cluster.host,
        port: cluster.port,
        database: 'postgres',
        user: c.username,
        password: c.password,
      });
      client.on('error', () => {});
      await client.connect();
      const { rows } = await client.query('select count(*)::int as n from orders');
      await client.end();
      return rows;
    };

    await go('secrets', 'Secrets');
    const form = page.locator('form[aria-labelledby="set-rotation"]');
    await form.getByLabel('Secret').selectOption('orders/app');
    expect(await form.getByLabel('Rotator').inputValue()).toBe('postgres-alternating');
    await form.getByLabel('Connection').fill('orders');
    await form.getByLabel('User A').fill('orders_app_a');
    await form.getByLabel('User B').fill('orders_app_b');
    await form.getByLabel('Every').fill('30');
    await form.getByRole('button', { name: 'Set rotation' }).click();
    await toast('Rotation of orders/app set.');
    const row = page.locator('section[aria-labelledby="rotations"] tr', { hasText: 'orders/app' });
    await poll(() => row.textContent()).toMatch(/PostgreSQL orders_app_a \/ orders_app_b.*every 30d.*never/);
    await page.getByRole('button', { name: 'Rotate now: orders/app' }).click();
    await toast('Rotated orders/app: version 2 is current.');
    await poll(() => row.getByTestId('rotation-result').textContent()).toBe('succeeded');
    await shot('secret-rotation-postgres');
    const now = JSON.parse((await server.api('GET', '/v1/secrets/orders/app')).body.value) as { username: string; password: string };
    expect(now.username).toBe('orders_app_b');
    expect(await count(now)).toEqual([{ n: 2 }]);
    expect(await count(initial)).toEqual([{ n: 2 }]); // the login that was current keeps its password a period longer
    expect(await page.content()).not.toContain(now.password);
    expect(errors).toEqual([]);
  });
  it('rotates a secret by a webhook endpoint: the signing secret shown once, both requests signed, a failure shown', async () => {
    let signing = '';
    const answer = { status: 200 };
    const unsigned: string[] = [];
    const endpoint = await startWebhookReceiver({
      answer: (r) => {
        if (!signedWith(signing, r)) {
          unsigned.push(r.body);
          return { status: 401 };
        }
        if (answer.status !== 200) return { status: answer.status };
        const { type } = JSON.parse(r.body) as { type: string };
        return type === 'secret.rotation.create'
          ? { status: 200, body: JSON.stringify({ value: 'psp_console_rotated_1' }) }
          : { status: 204 };
      },
    });
    try {
      expect((await server.api('PUT', '/v1/secrets/payments/psp', { value: 'psp_console_initial' })).status).toBe(200);
      await go('secrets', 'Secrets');
      const form = page.locator('form[aria-labelledby="set-rotation"]');
      await form.getByLabel('Secret').selectOption('payments/psp');
      await form.getByLabel('Rotator').selectOption('webhook');
      await form.getByLabel('Endpoint URL').fill(endpoint.url);
      await form.getByLabel('Every').fill('12');
      await form.getByLabel('Unit').selectOption('h');
      await form.getByRole('button', { name: 'Set rotation' }).click();
      await toast('Rotation of payments/psp set.');
      signing = (await page.getByTestId('new-signing secret').textContent())!;
      expect(signing).toMatch(/^whsec_/);
      const row = page.locator('section[aria-labelledby="rotations"] tr', { hasText: 'payments/psp' });
      await poll(() => row.textContent()).toMatch(/webhook http:\/\/127\.0\.0\.1.*every 12h.*never/);

      await page.getByRole('button', { name: 'Rotate now: payments/psp' }).click();
      await toast('Rotated payments/psp: version 2 is current.');
      expect(unsigned).toEqual([]);
      expect(endpoint.received.map((r) => (JSON.parse(r.body) as { type: string }).type)).toEqual([
        'secret.rotation.create',
        'secret.rotation.confirm',
      ]);
      expect((await server.api('GET', '/v1/secrets/payments/psp')).body).toMatchObject({ version: 2, value: 'psp_console_rotated_1' });

      answer.status = 503;
      await page.getByRole('button', { name: 'Rotate now: payments/psp' }).click();
      await toast('Rotating payments/psp failed: the endpoint answered HTTP 503 to create. The current version stays; it will be retried.');
      await poll(() => row.getByTestId('rotation-result').textContent()).toBe(
        'failed the endpoint answered HTTP 503 to create (1 attempt)',
      );
      expect((await server.api('GET', '/v1/secrets/payments/psp')).body.version).toBe(2);
      await shot('secret-rotation-webhook');
      // Shown once: a fresh visit has no signing secret on the page.
      await go('secrets', 'Secrets');
      expect(await page.content()).not.toContain(signing);
      await page.getByRole('button', { name: 'Stop rotating payments/psp' }).click();
      await toast('payments/psp is no longer rotated; its current version stays.');
      expect((await server.api('GET', '/v1/secret-rotations/payments/psp')).status).toBe(404);
      expect(errors).toEqual([]);
    } finally {
      await endpoint.close();
    }
  });
});
