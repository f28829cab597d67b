import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieClient, codeFor, startConsoleServer, type ConsoleServer } from './support/console-server.js';

const PASSWORD = 'correct horse battery staple';

describe('console sign-in, sessions and CSRF (over HTTP, SQLite)', () => {
  let server: ConsoleServer;
  let secret: string;
  let recoveryCodes: string[];

  beforeAll(async () => {
    server = await startConsoleServer();
    await server.createUser('owner@example.test', PASSWORD);
  });
  afterAll(() => server.close());

  async function signIn(email = 'owner@example.test'): Promise<CookieClient> {
    const c = new CookieClient(server.url);
    const r = await c.call('POST', '/console/api/login', { email, password: PASSWORD });
    expect(r.status).toBe(200);
    expect(r.body.next).toBe('totp');
    server.clock.skip(30_000); // a fresh TOTP step: a code is never accepted twice
    const f = await c.call('POST', '/console/api/login/second-factor', { code: codeFor(secret, server.clock) });
    expect(f.status).toBe(200);
    return c;
  }

  it('stores an argon2id hash, enrols TOTP with recovery codes, and signs in', async () => {
    const c = new CookieClient(server.url);
    const login = await c.call('POST', '/console/api/login', { email: 'Owner@Example.test', password: PASSWORD });
    expect(login.status).toBe(200);
    expect(login.body.next).toBe('enroll');
    const cookie = login.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^tessera_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict/);

    // A half-open session (password only) opens nothing else.
    expect((await c.call('GET', '/console/api/session')).status).toBe(401);
    expect((await c.call('GET', '/v1/keyspaces')).status).toBe(401);

    const enrol = await c.call('POST', '/console/api/enrolment');
    expect(enrol.status).toBe(200);
    secret = enrol.body.secret;
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(enrol.body.uri).toContain(`secret=${secret}`);

    expect((await c.call('POST', '/console/api/enrolment/confirm', { code: codeFor(secret, server.clock, 5) })).status).toBe(401);
    const confirmed = await c.call('POST', '/console/api/enrolment/confirm', { code: codeFor(secret, server.clock) });
    expect(confirmed.status).toBe(200);
    recoveryCodes = confirmed.body.recoveryCodes;
    expect(recoveryCodes).toHaveLength(10);
    expect(confirmed.body.user).toMatchObject({ email: 'owner@example.test', role: 'owner', totpEnrolled: true });

    const session = await c.call('GET', '/console/api/session');
    expect(session.status).toBe(200);
    expect(session.body.capabilities).toHaveProperty('secrets');

    const row = await server.services.store.console.findUserByEmail('owner@example.test');
    expect(row!.passwordHash).toMatch(/^\$argon2id\$/);
    expect(row!.totpSecret).not.toContain(secret);
    expect(JSON.stringify(row)).not.toContain(recoveryCodes[0]!);
  });

  it('refuses a wrong TOTP code and audits the failure', async () => {
    const c = new CookieClient(server.url);
    await c.call('POST', '/console/api/login', { email: 'owner@example.test', password: PASSWORD });
    const good = codeFor(secret, server.clock, 10);
    const r = await c.call('POST', '/console/api/login/second-factor', { code: good === '000000' ? '111111' : '000000' });
    expect(r.status).toBe(401);
    expect(r.body.code).toBe('UNAUTHORIZED');
    expect((await c.call('GET', '/console/api/session')).status).toBe(401);
    const audit = await server.api('GET', '/v1/audit?action=user.login_failed');
    expect(audit.body.items[0].details).toMatchObject({ reason: 'totp' });
  });

  it('accepts a recovery code once', async () => {
    const c = new CookieClient(server.url);
    await c.call('POST', '/console/api/login', { email: 'owner@example.test', password: PASSWORD });
    expect((await c.call('POST', '/console/api/login/second-factor', { recoveryCode: recoveryCodes[0]!.toUpperCase() })).status).toBe(200);
    const again = new CookieClient(server.url);
    await again.call('POST', '/console/api/login', { email: 'owner@example.test', password: PASSWORD });
    expect((await again.call('POST', '/console/api/login/second-factor', { recoveryCode: recoveryCodes[0] })).status).toBe(401);
  });

  it('refuses a state change without the CSRF token, on console and management routes alike', async () => {
    const c = await signIn();
    const ks = await c.call('POST', '/v1/keyspaces', { name: 'No CSRF', prefix: 'nocsrf' }, { csrf: false });
    expect(ks.status).toBe(403);
    expect(ks.body.code).toBe('CSRF_FAILED');
    const wrong = new CookieClient(server.url);
    wrong.cookie = c.cookie;
    wrong.csrf = 'x'.repeat(43);
    expect((await wrong.call('POST', '/v1/keyspaces', { name: 'Bad CSRF', prefix: 'badcsrf' })).body.code).toBe('CSRF_FAILED');
    expect(
      (await c.call('POST', '/console/api/users', { email: 'v@example.test', password: PASSWORD, role: 'viewer' }, { csrf: false })).status,
    ).toBe(403);

    // With the token, the same calls work, and the audit log names the user.
    const created = await c.call('POST', '/v1/keyspaces', { name: 'With CSRF', prefix: 'withcsrf' });
    expect(created.status).toBe(201);
    const audit = await server.api('GET', '/v1/audit?action=keyspace.created');
    expect(audit.body.items[0].actor).toMatch(/^user:usr_/);
  });

  it('ends a session after the idle timeout', async () => {
    const c = await signIn();
    expect((await c.call('GET', '/v1/keyspaces')).status).toBe(200);
    server.clock.skip(31 * 60_000);
    const r = await c.call('GET', '/console/api/session');
    expect(r.status).toBe(401);
    expect(r.body.detail).toMatch(/session has ended/);
    expect((await c.call('GET', '/v1/keyspaces')).status).toBe(401);
  });

  it('ends a session at its absolute end however busy it is', async () => {
    const c = await signIn();
    for (let i = 0; i < 26; i++) {
      server.clock.skip(29 * 60_000);
      if ((await c.call('GET', '/console/api/session')).status !== 200) break;
    }
    // 12 h is 24.8 steps of 29 min: the session was alive on every step before its absolute end.
    expect((await c.call('GET', '/console/api/session')).status).toBe(401);
  });

  it('gives a viewer read access only', async () => {
    const owner = await signIn();
    expect(
      (await owner.call('POST', '/console/api/users', { email: 'viewer@example.test', password: PASSWORD, role: 'viewer' })).status,
    ).toBe(201);
    // The viewer enrols too, then cannot create anything.
    const v = new CookieClient(server.url);
    expect((await v.call('POST', '/console/api/login', { email: 'viewer@example.test', password: PASSWORD })).body.next).toBe('enroll');
    const e = await v.call('POST', '/console/api/enrolment');
    expect((await v.call('POST', '/console/api/enrolment/confirm', { code: codeFor(e.body.secret, server.clock) })).status).toBe(200);
    expect((await v.call('GET', '/v1/keyspaces')).status).toBe(200);
    const denied = await v.call('POST', '/v1/keyspaces', { name: 'Viewer', prefix: 'viewer' });
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('FORBIDDEN');
    expect((await v.call('GET', '/console/api/users')).status).toBe(403);
    expect((await v.call('GET', '/console/api/keyring')).status).toBe(403);
  });

  it("shows an owner the keyring's provider, versions and states, and no key material", async () => {
    const owner = await signIn();
    expect((await owner.call('GET', '/console/api/session')).body.capabilities.keyring).toBe(true);
    await server.services.keyring.encrypt(Buffer.from('anything'), 'test:keyring-status', { workspaceId: 'ws_default' });
    const r = await owner.call('GET', '/console/api/keyring');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      provider: 'memory',
      kekVersion: 1,
      pepperVersion: 1,
      pepperVersions: [1],
      dataKeys: expect.arrayContaining([{ scope: 'ws_default', version: 1, kekVersion: 1, state: 'current', rewrapPending: false }]),
    });
    // Versions and states only: nothing in the answer is long enough to be a key.
    expect(JSON.stringify(r.body)).not.toMatch(/[A-Za-z0-9+/_-]{32,}/);
  });

  it('locks the second factor after repeated wrong codes behind a right password, with an audit entry and an anomaly', async () => {
    await server.createUser('target@example.test', PASSWORD, 'admin');
    // Enrol the target, then sign out.
    const first = new CookieClient(server.url);
    await first.call('POST', '/console/api/login', { email: 'target@example.test', password: PASSWORD });
    const enrol = await first.call('POST', '/console/api/enrolment');
    expect((await first.call('POST', '/console/api/enrolment/confirm', { code: codeFor(enrol.body.secret, server.clock) })).status).toBe(
      200,
    );
    server.clock.skip(30_000);

    // Someone with the password, not the app: five wrong codes lock the account.
    const c = new CookieClient(server.url);
    expect((await c.call('POST', '/console/api/login', { email: 'target@example.test', password: PASSWORD })).status).toBe(200);
    const good = codeFor(enrol.body.secret, server.clock, 10);
    const wrong = good === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) expect((await c.call('POST', '/console/api/login/second-factor', { code: wrong })).status).toBe(401);
    // Locked: even the right code is refused, with the answer a wrong one gets, until the lock ends.
    const refused = await c.call('POST', '/console/api/login/second-factor', { code: codeFor(enrol.body.secret, server.clock) });
    expect(refused.status).toBe(401);
    expect(refused.body.detail).toMatch(/code is not right/);
    const audit = await server.api('GET', '/v1/audit?action=user.locked');
    expect(audit.body.items).toHaveLength(1);
    // …and an anomaly a security team sees beside the keys' ones.
    const anomalies = await server.api('GET', '/v1/anomalies');
    const lockout = anomalies.body.items.find((a: { kind: string }) => a.kind === 'login_failures');
    expect(lockout).toMatchObject({ severity: 'high', subject: audit.body.items[0].target });
    expect(lockout.explanation).toMatch(/locked after 5 failed sign-ins/);
    server.clock.skip(16 * 60_000);
    const after = new CookieClient(server.url);
    expect((await after.call('POST', '/console/api/login', { email: 'target@example.test', password: PASSWORD })).status).toBe(200);
    expect((await after.call('POST', '/console/api/login/second-factor', { code: codeFor(enrol.body.secret, server.clock) })).status).toBe(
      200,
    );
  });

  it('signs out, and the old cookie opens nothing', async () => {
    const c = await signIn();
    const cookie = c.cookie;
    expect((await c.call('DELETE', '/console/api/session', undefined, { csrf: false })).status).toBe(403);
    expect((await c.call('DELETE', '/console/api/session')).status).toBe(204);
    const stale = new CookieClient(server.url);
    stale.cookie = cookie;
    expect((await stale.call('GET', '/v1/keyspaces')).status).toBe(401);
  });

  it('never writes a password, TOTP secret, recovery code or session token to the logs', () => {
    const logs = server.logs.join('');
    expect(logs).not.toContain(PASSWORD);
    expect(logs).not.toContain(secret);
    for (const code of recoveryCodes) expect(logs).not.toContain(code);
  });
});
