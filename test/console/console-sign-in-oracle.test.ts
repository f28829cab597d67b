import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { CookieClient, codeFor, enrolledUser, startConsoleServer, type ConsoleServer } from './support/console-server.js';

const PASSWORD = 'correct horse battery staple';

/** What a sign-in answer shows a caller, without what differs on every request (request id, token, date). */
function shape(r: { status: number; body: any; headers: Headers }) {
  const cookie = r.headers.get('set-cookie');
  const { requestId: _requestId, csrfToken, ...body } = r.body ?? {};
  return {
    status: r.status,
    body,
    csrfToken: typeof csrfToken === 'string' ? csrfToken.length : undefined,
    cookie: cookie?.replace(/=[A-Za-z0-9_-]+;/, '=…;'),
  };
}

describe.each(DIALECTS)('console sign-in tells nobody whether the email or the password was right (%s)', (dialect) => {
  let server: ConsoleServer;
  const secrets = new Map<string, string>();

  beforeAll(async () => {
    server = await startConsoleServer({ dialect });
  });
  afterAll(() => server.close());

  async function enrolled(email: string): Promise<void> {
    secrets.set(email, (await enrolledUser(server, email, PASSWORD)).secret);
    server.clock.skip(30_000);
  }
  const wrongCode = (email: string) => (codeFor(secrets.get(email)!, server.clock) === '000000' ? '111111' : '000000');

  it('answers an unknown email, a wrong password, a disabled and a locked account as it answers the right password, at every step', async () => {
    await enrolled('real@example.test');
    await enrolled('gone@example.test');
    await enrolled('locked@example.test');
    const gone = await server.services.store.console.findUserByEmail('gone@example.test');
    await server.services.console.users.update({ id: 'system', workspaceId: 'ws_default', ip: null }, gone!.id, { disabled: true }, 'any');
    // Lock one account the only way there is: wrong codes behind its right password.
    const thief = new CookieClient(server.url);
    await thief.call('POST', '/console/api/login', { email: 'locked@example.test', password: PASSWORD });
    for (let i = 0; i < 5; i++) await thief.call('POST', '/console/api/login/second-factor', { code: wrongCode('locked@example.test') });

    const attempts = {
      right: ['real@example.test', PASSWORD],
      wrongPassword: ['real@example.test', 'not the password at all'],
      unknown: ['nobody@example.test', PASSWORD],
      disabled: ['gone@example.test', PASSWORD],
      locked: ['locked@example.test', PASSWORD],
    } as const;
    const seen: Record<string, unknown[]> = {};
    for (const [name, [email, password]] of Object.entries(attempts)) {
      const c = new CookieClient(server.url);
      const steps = [await c.call('POST', '/console/api/login', { email, password })];
      expect(steps[0]!.status).toBe(200);
      // The second factor: a wrong code (the right one would tell, by design), a passkey challenge,
      // an assertion that does not verify, a recovery code, enrolment, and a request without CSRF.
      steps.push(await c.call('POST', '/console/api/login/second-factor', { code: '123456' }));
      steps.push(await c.call('POST', '/console/api/login/second-factor', { recoveryCode: 'aaaa-bbbb-cccc-dddd' }));
      const options = await c.call('POST', '/console/api/login/passkey/options');
      expect(Object.keys(options.body).sort()).toEqual(['allowCredentials', 'challenge', 'rpId', 'timeout', 'userVerification']);
      steps.push({ ...options, body: { ...options.body, challenge: options.body.challenge.length } });
      steps.push(
        await c.call('POST', '/console/api/login/passkey/verify', {
          response: {
            id: 'AAAA',
            rawId: 'AAAA',
            type: 'public-key',
            response: { clientDataJSON: 'e30', authenticatorData: 'AAAA', signature: 'AAAA' },
            clientExtensionResults: {},
          },
        }),
      );
      steps.push(await c.call('POST', '/console/api/enrolment'));
      steps.push(await c.call('POST', '/console/api/enrolment/confirm', { code: '123456' }));
      steps.push(await c.call('POST', '/console/api/login/second-factor', { code: '123456' }, { csrf: false }));
      steps.push(await c.call('GET', '/console/api/session'));
      seen[name] = steps.map(shape);
    }
    // A wrong code is refused, after the wrong code it is the same answer for every kind of attempt.
    expect(seen.right![1]).toMatchObject({ status: 401 });
    for (const name of Object.keys(attempts)) expect({ name, steps: seen[name] }).toEqual({ name, steps: seen.right });
  });

  it('lets no one without the password lock the owner out', async () => {
    server.clock.skip(16 * 60_000); // a new throttle window for this address
    await enrolled('owner@example.test');
    const { maxFailures } = server.services.console.policy;
    // Ten times the lock's count of wrong passwords, from addresses the per-network throttle lets through.
    for (let i = 0; i < maxFailures * 10; i++) {
      const r = await server.services.console.signIn.login('owner@example.test', `guess number ${i}`, `198.51.100.${i + 1}`, undefined);
      expect(r).toMatchObject({ ok: true, next: 'totp' });
    }
    const user = await server.services.store.console.findUserByEmail('owner@example.test');
    expect(user).toMatchObject({ lockedUntil: null, failedLogins: 0 });
    const c = new CookieClient(server.url);
    expect((await c.call('POST', '/console/api/login', { email: 'owner@example.test', password: PASSWORD })).status).toBe(200);
    const signed = await c.call('POST', '/console/api/login/second-factor', {
      code: codeFor(secrets.get('owner@example.test')!, server.clock),
    });
    expect(signed.status).toBe(200);
    expect(signed.body.stage).toBe('full');
  });

  it('a lock ends full sessions, not half-open ones: those stay, refusing every code as a decoy does', async () => {
    server.clock.skip(16 * 60_000); // a new throttle window for this address
    await enrolled('half@example.test');
    const owner = new CookieClient(server.url);
    await owner.call('POST', '/console/api/login', { email: 'half@example.test', password: PASSWORD });
    expect(
      (await owner.call('POST', '/console/api/login/second-factor', { code: codeFor(secrets.get('half@example.test')!, server.clock) }))
        .status,
    ).toBe(200);
    server.clock.skip(30_000);
    const first = new CookieClient(server.url);
    const second = new CookieClient(server.url);
    await first.call('POST', '/console/api/login', { email: 'half@example.test', password: PASSWORD });
    await second.call('POST', '/console/api/login', { email: 'half@example.test', password: PASSWORD });
    for (let i = 0; i < 5; i++) await first.call('POST', '/console/api/login/second-factor', { code: wrongCode('half@example.test') });
    expect((await owner.call('GET', '/console/api/session')).status).toBe(401);
    const decoy = new CookieClient(server.url);
    await decoy.call('POST', '/console/api/login', { email: 'half@example.test', password: 'wrong password, a decoy' });
    const right = codeFor(secrets.get('half@example.test')!, server.clock);
    const fromHalf = await second.call('POST', '/console/api/login/second-factor', { code: right });
    const fromDecoy = await decoy.call('POST', '/console/api/login/second-factor', { code: right });
    expect(shape(fromHalf)).toEqual(shape(fromDecoy));
    expect(fromHalf.body.detail).toMatch(/code is not right/);
    expect(fromHalf.status).toBe(401);
  });

  it('counts wrong passwords towards the lock of an account with no second factor yet (its password step is all it has)', async () => {
    server.clock.skip(16 * 60_000); // a new throttle window for this address
    await server.createUser('new@example.test', PASSWORD);
    for (let i = 0; i < 5; i++)
      expect(await server.services.console.signIn.login('new@example.test', 'wrong', '192.0.2.7', undefined)).toMatchObject({
        next: 'totp',
      });
    const user = await server.services.store.console.findUserByEmail('new@example.test');
    expect(user!.lockedUntil).not.toBeNull();
    // Locked: the right password gets a decoy, not the enrolment.
    expect(await server.services.console.signIn.login('new@example.test', PASSWORD, '192.0.2.7', undefined)).toMatchObject({
      next: 'totp',
    });
    server.clock.skip(16 * 60_000);
    expect(await server.services.console.signIn.login('new@example.test', PASSWORD, '192.0.2.7', undefined)).toMatchObject({
      next: 'enroll',
    });
  });
});

describe('failed console sign-ins in the audit log', () => {
  let server: ConsoleServer;
  beforeAll(async () => {
    server = await startConsoleServer();
  });
  afterAll(() => server.close());

  it('a flood from many addresses writes a bounded number of entries, and a summary that counts every failure', async () => {
    const accounts = server.services.console;
    const budget = accounts.policy.maxFailureEntries;
    const before = (await server.api('GET', '/v1/audit?action=user.login_failed&limit=500')).body.items.length;
    for (let i = 0; i < 200; i++) {
      await accounts.signIn.login(`victim${i % 7}@example.test`, 'a guess', `203.0.113.${(i % 250) + 1}`, undefined);
    }
    const entries = (await server.api('GET', '/v1/audit?action=user.login_failed&limit=500')).body.items.length - before;
    expect(entries).toBe(budget);
    // The rest is summed when the window is over (the console's maintenance writes it).
    expect((await server.api('GET', '/v1/audit?action=user.login_failures')).body.items).toHaveLength(0);
    server.clock.skip(accounts.policy.lockoutMs);
    await accounts.maintain();
    const [summary] = (await server.api('GET', '/v1/audit?action=user.login_failures')).body.items;
    expect(summary.details).toMatchObject({ failures: 200 - budget, networks: 200 - budget, reasons: { unknown_user: 200 - budget } });
    await accounts.maintain();
    expect((await server.api('GET', '/v1/audit?action=user.login_failures')).body.items).toHaveLength(1);
  });
});
