import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ssoSignIn } from '../../packages/core/src/console/console-sso-account.js';
import type { ConsoleSsoSettings } from '../../packages/core/src/console/console-sso-settings.js';
import { DIALECTS } from '../support/databases.js';
import { startConsoleServer, type ConsoleServer } from './support/console-server.js';

const SETTINGS: ConsoleSsoSettings = {
  issuer: 'https://sso.acme.example',
  clientId: 'tessera-console',
  clientSecret: 'unused here',
  scopes: ['openid'],
  roleClaim: 'groups',
  roles: new Map([
    ['ops', 'admin'],
    ['staff', 'viewer'],
  ]),
  workspaceId: 'ws_default',
  label: 'Acme SSO',
};

/** The console account behind an upstream account, on a real store: what two sign-ins at once do. */
describe.each(DIALECTS)('console sign-in with an upstream provider: the account (%s)', (dialect) => {
  let s: ConsoleServer;
  beforeAll(async () => {
    s = await startConsoleServer({ dialect });
  });
  afterAll(() => s?.close());

  const deps = () => ({
    store: s.services.store,
    keyring: s.services.keyring,
    clock: s.services.clock,
    sessions: s.services.console.sessions,
    passwords: s.services.console.passwords,
  });
  const audit = async (action: string) => (await s.api('GET', `/v1/audit?action=${action}&limit=100`)).body.items as any[];

  it('makes one user for two first sign-ins of one upstream account at once, and signs both in', async () => {
    const claims = { sub: 'grace', email: 'grace@example.com', email_verified: true, groups: ['ops'] };
    const both = await Promise.all([
      ssoSignIn(deps(), SETTINGS, claims, '127.0.0.1', undefined),
      ssoSignIn(deps(), SETTINGS, claims, '127.0.0.1', undefined),
    ]);
    expect(both.map((r) => r.ok)).toEqual([true, true]);
    const users = (await s.services.console.users.list('ws_default')).filter((u) => u.email === 'grace@example.com');
    expect(users.map((u) => u.role)).toEqual(['admin']);
    expect((await s.services.store.console.findSsoLink(SETTINGS.issuer, 'grace'))?.userId).toBe(users[0]!.id);
    expect((await audit('user.created')).filter((e) => e.target === users[0]!.id).length).toBe(1);
    expect((await audit('user.linked')).filter((e) => e.target === users[0]!.id).length).toBe(1);
    expect((await audit('user.login')).filter((e) => e.target === users[0]!.id).length).toBe(2);
    // Each holds a full session of that user.
    for (const r of both) {
      const found = await s.services.console.sessions.authenticate(r.ok ? r.token : '');
      expect(found.ok && found.user.id).toBe(users[0]!.id);
    }
  });

  it('refuses a sign-in whose claim gives no role, and one whose email is not verified, making nothing', async () => {
    const before = (await s.services.console.users.list('ws_default')).length;
    expect(
      await ssoSignIn(deps(), SETTINGS, { sub: 'eve', email: 'eve@example.com', email_verified: true, groups: ['x'] }, '::1', undefined),
    ).toEqual({ ok: false, reason: 'no_role', userId: null });
    expect(await ssoSignIn(deps(), SETTINGS, { sub: 'mal', email: 'mal@example.com', groups: ['ops'] }, '::1', undefined)).toEqual({
      ok: false,
      reason: 'email_not_verified',
      userId: null,
    });
    expect(await ssoSignIn(deps(), SETTINGS, { sub: 'anon', groups: ['ops'] }, '::1', undefined)).toEqual({
      ok: false,
      reason: 'no_email',
      userId: null,
    });
    expect((await s.services.console.users.list('ws_default')).length).toBe(before);
    expect(await s.services.store.console.findSsoLink(SETTINGS.issuer, 'eve')).toBeUndefined();
  });

  it('refuses an email whose console account is in another workspace', async () => {
    const other = await s.api('POST', '/v1/workspaces', { name: 'Team B' });
    expect(other.status).toBe(201);
    const workspaceId = other.body.workspace.id as string;
    await s.services.console.users.create(
      { id: 'system', workspaceId, ip: null },
      { email: 'bob@example.com', password: 'correct horse battery staple', role: 'owner' },
    );
    const r = await ssoSignIn(
      deps(),
      SETTINGS,
      { sub: 'bob', email: 'bob@example.com', email_verified: true, groups: ['staff'] },
      '::1',
      undefined,
    );
    expect(r).toMatchObject({ ok: false, reason: 'other_workspace' });
    expect(await s.services.store.console.findSsoLink(SETTINGS.issuer, 'bob')).toBeUndefined();
  });
});
