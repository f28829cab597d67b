import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, serve } from '@tessera/server';
import { DIALECTS } from '../support/databases.js';
import { buildOnce, runCli } from '../support/cli.js';
import { CookieClient, codeFor, startConsoleServer, type ConsoleServer } from './support/console-server.js';

const PASSWORD = 'correct horse battery staple';

/** Signs in with password and a TOTP code (enrolling on the first sign-in); returns the client and the TOTP secret. */
async function enrol(
  server: ConsoleServer,
  email: string,
  headers: Record<string, string> = {},
): Promise<{ c: CookieClient; secret: string }> {
  const c = new CookieClient(server.url, headers);
  expect((await c.call('POST', '/console/api/login', { email, password: PASSWORD })).status).toBe(200);
  const secret = (await c.call('POST', '/console/api/enrolment')).body.secret as string;
  const confirmed = await c.call('POST', '/console/api/enrolment/confirm', { code: codeFor(secret, server.clock) });
  expect(confirmed.status).toBe(200);
  return { c, secret };
}

/** A password step on a fresh client: the half-open session that still owes the second factor. */
async function half(server: ConsoleServer, email: string): Promise<CookieClient> {
  const c = new CookieClient(server.url);
  expect((await c.call('POST', '/console/api/login', { email, password: PASSWORD })).status).toBe(200);
  return c;
}

describe.each(DIALECTS)('console second factors are spent once, even by concurrent requests (%s)', (dialect) => {
  let server: ConsoleServer;
  beforeAll(async () => {
    server = await startConsoleServer({ dialect });
    await server.createUser('race@example.test', PASSWORD);
  });
  afterAll(() => server.close());

  it('one TOTP code sent on two sessions at once signs in one of them', async () => {
    const { secret } = await enrol(server, 'race@example.test');
    for (let round = 0; round < 3; round++) {
      const a = await half(server, 'race@example.test');
      const b = await half(server, 'race@example.test');
      server.clock.skip(30_000);
      const code = codeFor(secret, server.clock);
      const answers = await Promise.all([a, b].map((c) => c.call('POST', '/console/api/login/second-factor', { code })));
      expect(answers.map((r) => r.status).sort()).toEqual([200, 401]);
    }
  });

  it('one recovery code sent on two sessions at once signs in one of them', async () => {
    const c = new CookieClient(server.url);
    await c.call('POST', '/console/api/login', { email: 'race@example.test', password: PASSWORD });
    const user = await server.services.store.console.findUserByEmail('race@example.test');
    // Fresh recovery codes, made the way enrolment makes them, so the test knows one.
    const codes = ['aaaa-bbbb-cccc-dddd', 'eeee-ffff-gggg-hhhh'];
    const keyring = server.services.keyring;
    await server.services.store.console.updateUser(user!.id, {
      recoveryCodes: codes.map((code) => keyring.hash('recovery_code', code.replace(/-/g, ''), keyring.currentPepperVersion)),
      recoveryPepperVersion: keyring.currentPepperVersion,
    });
    const a = await half(server, 'race@example.test');
    const b = await half(server, 'race@example.test');
    const answers = await Promise.all([a, b].map((x) => x.call('POST', '/console/api/login/second-factor', { recoveryCode: codes[0] })));
    expect(answers.map((r) => r.status).sort()).toEqual([200, 401]);
    const after = await server.services.store.console.findUserByEmail('race@example.test');
    expect(after!.recoveryCodes).toHaveLength(1);
  });
});

describe('console accounts: password change, unlock, cookies over TLS', () => {
  let server: ConsoleServer;
  beforeAll(async () => {
    server = await startConsoleServer({ env: { TESSERA_TRUST_PROXY: 'true' } });
    for (const email of ['change@example.test', 'wrong@example.test', 'tls@example.test', 'origin@example.test'])
      await server.createUser(email, PASSWORD);
  });
  afterAll(() => server.close());

  it("a password change ends the user's other sessions, and keeps the one that made it", async () => {
    const { c: first, secret } = await enrol(server, 'change@example.test');
    const other = await half(server, 'change@example.test');
    server.clock.skip(30_000);
    expect((await other.call('POST', '/console/api/login/second-factor', { code: codeFor(secret, server.clock) })).status).toBe(200);
    expect((await other.call('GET', '/console/api/session')).status).toBe(200);
    const changed = await first.call('POST', '/console/api/me/password', { current: PASSWORD, next: `${PASSWORD} and more` });
    expect(changed.status).toBe(204);
    expect((await other.call('GET', '/console/api/session')).status).toBe(401);
    expect((await first.call('GET', '/console/api/session')).status).toBe(200);
  });

  it('a wrong current password counts towards the lockout', async () => {
    const { c } = await enrol(server, 'wrong@example.test');
    const before = (await server.services.store.console.findUserByEmail('wrong@example.test'))!;
    expect(before.failedLogins).toBe(0);
    for (let i = 0; i < 2; i++)
      expect((await c.call('POST', '/console/api/me/password', { current: 'not the password at all', next: `${PASSWORD}!` })).status).toBe(
        401,
      );
    const after = (await server.services.store.console.findUserByEmail('wrong@example.test'))!;
    expect(after.failedLogins).toBe(2);
    const audit = await server.api('GET', '/v1/audit?action=user.login_failed');
    expect(
      audit.body.items.some(
        (e: { target: string; details: { reason: string } }) => e.target === after.id && e.details.reason === 'current_password',
      ),
    ).toBe(true);
  });

  it('over TLS accepts only the __Host- cookie, and sets it Secure', async () => {
    const { c } = await enrol(server, 'tls@example.test', { 'x-forwarded-proto': 'https' });
    expect(c.cookie).toMatch(/^__Host-tessera_session=/);
    expect((await c.call('GET', '/console/api/session')).status).toBe(200);
    const token = c.cookie!.split('=')[1]!;
    // The same token under the plain name, over TLS: a cookie a subdomain or plain-HTTP page could have set.
    const plain = await fetch(`${server.url}/console/api/session`, {
      headers: { cookie: `tessera_session=${token}`, 'x-forwarded-proto': 'https' },
    });
    expect(plain.status).toBe(401);
  });

  it('with an https console origin, sets the __Host- cookie Secure even when the request reached it as plain HTTP', async () => {
    const tls = await startConsoleServer({ env: { TESSERA_CONSOLE_ORIGIN: 'https://console.example.test' } });
    try {
      await tls.createUser('origin@example.test', PASSWORD);
      const r = await fetch(`${tls.url}/console/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'origin@example.test', password: PASSWORD }),
      });
      expect(r.status).toBe(200);
      expect(r.headers.get('set-cookie')).toMatch(
        /^__Host-tessera_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+; Secure$/,
      );
    } finally {
      await tls.close();
    }
  });
});

describe('console configuration off loopback', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-console-origin-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses to serve on a non-loopback address without TESSERA_CONSOLE_ORIGIN (passkeys would bind to any Host header)', async () => {
    const config = loadConfig({ TESSERA_DATA_DIR: dir, TESSERA_HOST: '0.0.0.0', TESSERA_INSECURE_HTTP: 'true', TESSERA_PORT: '0' });
    const started = await serve(config, () => {}).catch((err: unknown) => err);
    if (!(started instanceof Error)) await started.close();
    expect(String(started)).toMatch(/Refusing to serve on 0\.0\.0\.0 without TESSERA_CONSOLE_ORIGIN/);
  });
});

describe('tessera users unlock', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-users-unlock-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('unlocks a locked console user by email', async () => {
    buildOnce();
    const env = { TESSERA_DATA_DIR: dir };
    expect((await runCli(['init', '--json'], { env })).code).toBe(0);
    expect((await runCli(['users', 'create', '--email', 'locked@example.test'], { env, input: `${PASSWORD}\n` })).code).toBe(0);
    const { openInstance } = await import('@tessera/server');
    const { store, keyring } = await openInstance(loadConfig(env));
    try {
      const user = (await store.console.findUserByEmail('locked@example.test'))!;
      await store.console.updateUser(user.id, { lockedUntil: Date.now() + 3_600_000, failedLogins: 3 });
    } finally {
      await store.close();
      await keyring.close();
    }
    const r = await runCli(['users', 'unlock', 'Locked@Example.test'], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('locked@example.test');
    const again = await openInstance(loadConfig(env));
    try {
      const user = (await again.store.console.findUserByEmail('locked@example.test'))!;
      expect(user).toMatchObject({ lockedUntil: null, failedLogins: 0 });
    } finally {
      await again.store.close();
      await again.keyring.close();
    }
    expect((await runCli(['users', 'unlock', 'nobody@example.test'], { env })).code).toBe(1);
  }, 180_000);
});

describe('console sign-in throttle per source network', () => {
  let server: ConsoleServer;
  beforeAll(async () => {
    server = await startConsoleServer();
  });
  afterAll(() => server.close());

  it('throttles an IPv6 /64 as a whole: rotating addresses inside it buys no more guesses', async () => {
    const accounts = server.services.console;
    const max = accounts.policy.maxFailuresPerIp;
    for (let i = 1; i <= max; i++) {
      const r = await accounts.signIn.login('nobody@example.test', 'a wrong password guess', `2001:db8:1:2::${i.toString(16)}`, undefined);
      expect(r).toMatchObject({ ok: true, next: 'totp' }); // a decoy
    }
    expect(await accounts.signIn.login('nobody@example.test', 'one more guess', '2001:db8:1:2:ffff::9', undefined)).toEqual({
      ok: false,
      reason: 'throttled',
    });
    // The neighbouring /64 is another network.
    expect(await accounts.signIn.login('nobody@example.test', 'one more guess', '2001:db8:1:3::1', undefined)).toMatchObject({ ok: true });
  }, 120_000);
});

describe('console password hashing under a flood', () => {
  let server: ConsoleServer;
  beforeAll(async () => {
    server = await startConsoleServer();
  });
  afterAll(() => server.close());

  it('refuses sign-ins beyond the hashing queue at once (429) instead of queueing them for ever', async () => {
    const accounts = server.services.console;
    const started = performance.now();
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) =>
        accounts.signIn.login('nobody@example.test', 'a guess', `10.9.${i >> 8}.${i & 255}`, undefined),
      ),
    );
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'RATE_LIMITED' });
    expect(results.filter((r) => r.status === 'fulfilled').length).toBeGreaterThan(0);
    expect(performance.now() - started).toBeLessThan(60_000);
  }, 120_000);
});
