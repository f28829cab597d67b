import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { startUpstream, type Upstream } from '../oauth/upstream-provider.js';
import { launchChromium } from './support/chromium.js';
import { codeFor, enrolledUser, startConsoleServer, type ConsoleServer } from './support/console-server.js';

const CALLBACK_PATH = '/console/sso/callback';
const PASSWORD = 'correct horse battery staple';

/**
 * Console sign-in with an upstream OpenID Provider, end to end: node-oidc-provider on loopback as
 * the deployment's identity provider (its `groups` claim carries the role), Chromium as the
 * person's browser. The console's sign-in page → "Sign in with Acme SSO" → the upstream's sign-in
 * and consent → Tessera's callback → the console, signed in with the role the claim maps to, and
 * no second factor asked. Then what must be refused, and the local accounts beside it.
 */
describe.each(DIALECTS)('console sign-in with an upstream provider in Chromium (%s)', (dialect) => {
  let s: ConsoleServer;
  let up: Upstream;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  /** The callbacks the browser was sent to by the upstream; the states Tessera sent upstream. */
  const callbacks: string[] = [];
  const states: string[] = [];

  beforeAll(async () => {
    up = await startUpstream(() => s.url + CALLBACK_PATH, { groups: true });
    s = await startConsoleServer({
      dialect,
      env: {
        TESSERA_CONSOLE_OIDC_ISSUER: up.issuer,
        TESSERA_CONSOLE_OIDC_CLIENT_ID: up.clientId,
        TESSERA_CONSOLE_OIDC_CLIENT_SECRET: up.clientSecret,
        TESSERA_CONSOLE_OIDC_SCOPES: 'openid email profile groups',
        TESSERA_CONSOLE_OIDC_ROLE_CLAIM: 'groups',
        TESSERA_CONSOLE_OIDC_ROLES: 'tessera-owners=owner,tessera-admins=admin,staff=viewer',
        TESSERA_CONSOLE_OIDC_LABEL: 'Acme SSO',
      },
    });
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
    await s?.close();
    await up?.close();
  });

  /** From a signed-out browser: the console's sign-in page, its button, the upstream's sign-in (any password) and consent. */
  async function signInUpstream(login: string): Promise<void> {
    await page.context().clearCookies();
    await page.goto(`${s.url}/console/`);
    await page.getByRole('link', { name: 'Sign in with Acme SSO' }).click();
    await page.waitForURL((u) => u.toString().startsWith(up.issuer));
    await page.locator('input[name=login]').fill(login);
    await page.locator('input[name=password]').fill('whatever');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
  }

  const nav = () => page.getByRole('navigation', { name: 'Main' });
  const audit = async (action: string) => (await s.api('GET', `/v1/audit?action=${action}&limit=100`)).body.items as any[];
  const consoleUsers = () => s.services.console.users.list('ws_default');

  it('signs in an admin through the upstream, made just in time, with no second factor asked', async () => {
    up.accounts.set('ada', { email: 'Ada@Example.com', email_verified: true, name: 'Ada Lovelace', groups: ['staff', 'tessera-admins'] });
    await signInUpstream('ada');
    await page.waitForURL(`${s.url}/console/`);
    await page.getByText('ada@example.com').waitFor();
    await expect.poll(() => page.locator('.who .role').textContent()).toBe('admin');
    // An admin's pages, and not an owner's.
    await nav().getByRole('link', { name: 'OAuth clients' }).waitFor();
    expect(await nav().getByRole('link', { name: 'Root keys' }).count()).toBe(0);
    const ada = (await consoleUsers()).find((u) => u.email === 'ada@example.com')!;
    expect(ada).toMatchObject({ role: 'admin', name: 'Ada Lovelace', totpSecret: null });
    // The session cookie is the one a local sign-in sets.
    const cookie = (await page.context().cookies(s.url)).find((c) => c.name === 'tessera_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect((await audit('user.created')).find((e) => e.target === ada.id).details).toEqual({
      email: 'ada@example.com',
      role: 'admin',
      issuer: up.issuer,
    });
    expect((await audit('user.linked'))[0]).toMatchObject({ target: ada.id, details: { issuer: up.issuer, subject: 'ada' } });
    expect((await audit('user.login'))[0]).toMatchObject({
      actor: `user:${ada.id}`,
      target: ada.id,
      details: { method: 'upstream', issuer: up.issuer, role: 'admin' },
    });
    // The client secret is in no log line.
    expect(s.logs.join('\n')).not.toContain(up.clientSecret);
  });

  it('refuses a callback replayed in the same browser', async () => {
    expect(callbacks.length).toBe(1);
    const res = await page.goto(callbacks[0]!);
    expect(res?.status()).toBe(400);
    await page.getByText('This sign-in was completed already.').waitFor();
  });

  it('gives a viewer a viewer’s console: owner and admin actions are refused', async () => {
    up.accounts.set('vic', { email: 'vic@example.com', email_verified: true, groups: ['staff', 'marketing'] });
    await signInUpstream('vic');
    await page.getByText('vic@example.com').waitFor();
    await expect.poll(() => page.locator('.who .role').textContent()).toBe('viewer');
    await nav().getByRole('link', { name: 'Keys' }).waitFor();
    expect(await nav().getByRole('link', { name: 'OAuth clients' }).count()).toBe(0);
    expect(await nav().getByRole('link', { name: 'Root keys' }).count()).toBe(0);
    // With the session's own cookie and CSRF token, from the console's page.
    const tried = await page.evaluate(async () => {
      const session = await (await fetch('/console/api/session')).json();
      const post = (path: string, body: unknown) =>
        fetch(path, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken },
          body: JSON.stringify(body),
        }).then((r) => r.status);
      return {
        role: session.user.role as string,
        user: await post('/console/api/users', { email: 'mallory@example.com', password: 'correct horse battery staple', role: 'owner' }),
        rootKey: await post('/v1/root-keys', { name: 'mine', permissions: ['*'] }),
      };
    });
    expect(tried).toEqual({ role: 'viewer', user: 403, rootKey: 403 });
    expect((await consoleUsers()).some((u) => u.email === 'mallory@example.com')).toBe(false);
  });

  it('refuses a person whose claim maps to no role, and makes no account', async () => {
    up.accounts.set('eve', { email: 'eve@example.com', email_verified: true, groups: ['marketing'] });
    const answer = page.waitForResponse((r) => r.url().startsWith(s.url + CALLBACK_PATH));
    await signInUpstream('eve');
    expect((await answer).status()).toBe(403);
    await page.getByText('gives you no role in this console').waitFor();
    await page.getByRole('link', { name: 'Back to the console sign-in' }).waitFor();
    expect(
      await page
        .context()
        .cookies(s.url)
        .then((c) => c.some((x) => x.name === 'tessera_session')),
    ).toBe(false);
    expect((await consoleUsers()).some((u) => u.email === 'eve@example.com')).toBe(false);
    expect((await audit('user.login_failed'))[0]).toMatchObject({
      actor: 'user:unknown',
      target: null,
      details: { reason: 'upstream_no_role', issuer: up.issuer },
    });
  });

  it('refuses an email the upstream has not verified', async () => {
    up.accounts.set('mal', { email: 'mal@example.com', email_verified: false, groups: ['tessera-owners'] });
    const answer = page.waitForResponse((r) => r.url().startsWith(s.url + CALLBACK_PATH));
    await signInUpstream('mal');
    expect((await answer).status()).toBe(403);
    await page.getByText('has not verified your email address').waitFor();
    expect((await consoleUsers()).some((u) => u.email === 'mal@example.com')).toBe(false);
  });

  it('applies a role changed upstream at the next sign-in, to the same user', async () => {
    const before = await consoleUsers();
    const ada = before.find((u) => u.email === 'ada@example.com')!;
    up.accounts.set('ada', { ...up.accounts.get('ada'), groups: ['tessera-owners'] });
    await signInUpstream('ada');
    await page.getByText('ada@example.com').waitFor();
    await expect.poll(() => page.locator('.who .role').textContent()).toBe('owner');
    await nav().getByRole('link', { name: 'Root keys' }).waitFor();
    expect((await consoleUsers()).length).toBe(before.length);
    expect((await s.services.store.console.getUser(ada.id))!.role).toBe('owner');
    expect((await audit('user.updated'))[0]).toMatchObject({
      target: ada.id,
      details: { changed: ['role'], role: 'owner', from: 'admin', source: 'upstream' },
    });
    expect((await audit('user.linked')).filter((e) => e.target === ada.id).length).toBe(1);
    // And back down: an admin again, the owner's pages gone.
    up.accounts.set('ada', { ...up.accounts.get('ada'), groups: ['tessera-admins'] });
    await signInUpstream('ada');
    await expect.poll(() => page.locator('.who .role').textContent()).toBe('admin');
    expect(await nav().getByRole('link', { name: 'Root keys' }).count()).toBe(0);
  });

  it('keeps local accounts signing in with a password and a second factor beside it', async () => {
    const { secret } = await enrolledUser(s, 'local@example.com', PASSWORD);
    await page.context().clearCookies();
    await page.goto(`${s.url}/console/`);
    await page.getByRole('link', { name: 'Sign in with Acme SSO' }).waitFor();
    await page.getByLabel('Email').fill('local@example.com');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Second factor' }).waitFor();
    s.clock.skip(30_000);
    await page.getByLabel('Code from your authenticator app').fill(codeFor(secret, s.clock));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByText('local@example.com').waitFor();
    await expect.poll(() => page.locator('.who .role').textContent()).toBe('owner');
  });

  it('links a local account by an email the upstream says is verified, and sets its role from the claim', async () => {
    const local = (await consoleUsers()).find((u) => u.email === 'local@example.com')!;
    const before = (await consoleUsers()).length;
    up.accounts.set('loc', { email: 'local@example.com', email_verified: true, groups: ['tessera-admins'] });
    await signInUpstream('loc');
    await page.getByText('local@example.com').waitFor();
    await expect.poll(() => page.locator('.who .role').textContent()).toBe('admin');
    expect((await consoleUsers()).length).toBe(before);
    expect((await s.services.store.console.getUser(local.id))!.role).toBe('admin');
    expect((await audit('user.linked'))[0]).toMatchObject({ target: local.id, details: { issuer: up.issuer, subject: 'loc' } });
  });

  it('refuses a disabled console user, and audits the refusal against them', async () => {
    const vic = (await consoleUsers()).find((u) => u.email === 'vic@example.com')!;
    await s.services.console.users.update({ id: 'system', workspaceId: 'ws_default', ip: null }, vic.id, { disabled: true });
    const answer = page.waitForResponse((r) => r.url().startsWith(s.url + CALLBACK_PATH));
    await signInUpstream('vic');
    expect((await answer).status()).toBe(403);
    await page.getByText('This console account is disabled.').waitFor();
    expect((await audit('user.login_failed'))[0]).toMatchObject({
      actor: `user:${vic.id}`,
      target: vic.id,
      details: { reason: 'upstream_disabled' },
    });
    await s.services.console.users.update({ id: 'system', workspaceId: 'ws_default', ip: null }, vic.id, { disabled: false });
  });

  it('refuses a forged state and another browser’s, and lets the browser that started finish', async () => {
    await page.context().clearCookies();
    await page.goto(`${s.url}/console/`);
    await page.getByRole('link', { name: 'Sign in with Acme SSO' }).click();
    await page.waitForURL((u) => u.toString().startsWith(up.issuer));
    const state = states[states.length - 1]!;
    const mine = (await page.context().cookies(s.url)).find((c) => c.name === 'tessera_console_sso')!;
    expect(mine).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    const callback = (q: Record<string, string>, cookie: string) =>
      fetch(`${s.url}${CALLBACK_PATH}?${new URLSearchParams({ code: 'x', iss: up.issuer, ...q })}`, { headers: { cookie } });
    const forged = await callback({ state: 'A'.repeat(43) }, `tessera_console_sso=${mine.value}`);
    expect(forged.status).toBe(400);
    expect(await forged.text()).toContain('This sign-in is not known');
    const other = await callback({ state }, `tessera_console_sso=${'B'.repeat(32)}`);
    expect(other.status).toBe(400);
    expect(await other.text()).toContain('started in another browser');
    expect((await callback({ state }, '')).status).toBe(400);
    // Each refusal is audited like a failed password, with no account named.
    const refusals = (await audit('user.login_failed')).slice(0, 3).reverse();
    expect(refusals.map((e) => [e.actor, e.target, e.details.reason])).toEqual([
      ['user:unknown', null, 'upstream_state_unknown'],
      ['user:unknown', null, 'upstream_state_other_browser'],
      ['user:unknown', null, 'upstream_state_other_browser'],
    ]);
    expect(refusals[0].ip).toBeTruthy();
    // None of these signed anyone in, nor spent the state: the browser that started finishes.
    await page.locator('input[name=login]').fill('vic');
    await page.locator('input[name=password]').fill('whatever');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByText('vic@example.com').waitFor();
    // The state is spent now: the same callback again is refused.
    const replay = await fetch(callbacks[callbacks.length - 1]!, { headers: { cookie: `tessera_console_sso=${mine.value}` } });
    expect(replay.status).toBe(400);
    expect(await replay.text()).toContain('completed already');
    expect((await audit('user.login_failed'))[0]).toMatchObject({
      target: null,
      details: { reason: 'upstream_state_used', issuer: up.issuer },
    });
  });

  it('says on the sign-in options whether the upstream is offered', async () => {
    const r = await fetch(`${s.url}/console/api/sign-in-options`);
    expect(await r.json()).toEqual({ upstream: { label: 'Acme SSO', start: '/console/sso/start' } });
  });
});
