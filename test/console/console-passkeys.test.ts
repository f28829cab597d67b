import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieClient, codeFor, enrolledUser as enrolUser, startConsoleServer, type ConsoleServer } from './support/console-server.js';
import { SoftAuthenticator } from './support/soft-authenticator.js';

const PASSWORD = 'correct horse battery staple';

describe('console passkeys as a second factor (over HTTP, SQLite)', () => {
  let server: ConsoleServer;
  const secrets = new Map<string, string>();

  beforeAll(async () => {
    server = await startConsoleServer();
  });
  afterAll(() => server.close());

  /** A new user, enrolled in TOTP, with a full session. */
  async function enrolledUser(email: string): Promise<CookieClient> {
    const { c, secret } = await enrolUser(server, email, PASSWORD);
    secrets.set(email, secret);
    return c;
  }

  async function register(c: CookieClient, authenticator: SoftAuthenticator, name = 'Laptop'): Promise<string> {
    const options = await c.call('POST', '/console/api/passkeys/registration/options');
    expect(options.status).toBe(200);
    const added = await c.call('POST', '/console/api/passkeys/registration/verify', { response: authenticator.create(options.body), name });
    expect(added.status).toBe(201);
    return added.body.id;
  }

  /** Password only: a half-open session. */
  async function password(email: string): Promise<{ c: CookieClient }> {
    const c = new CookieClient(server.url);
    const r = await c.call('POST', '/console/api/login', { email, password: PASSWORD });
    expect(r.status).toBe(200);
    return { c };
  }

  const auditOf = async (action: string) => (await server.api('GET', `/v1/audit?action=${action}`)).body.items;

  describe('registration', () => {
    it('registers a passkey for the signed-in user, keeps only its public key, and audits it', async () => {
      const c = await enrolledUser('reg@example.test');
      const authenticator = new SoftAuthenticator(server.url);
      const options = await c.call('POST', '/console/api/passkeys/registration/options');
      expect(options.body.rp).toEqual({ name: 'Tessera', id: '127.0.0.1' });
      expect(options.body.user.name).toBe('reg@example.test');
      expect(options.body.attestation).toBe('none');
      const added = await c.call('POST', '/console/api/passkeys/registration/verify', {
        response: authenticator.create(options.body),
        name: 'YubiKey',
      });
      expect(added.status).toBe(201);
      expect(added.body).toEqual({ id: expect.stringMatching(/^pk_/), name: 'YubiKey', createdAt: expect.any(String), lastUsedAt: null });

      const list = await c.call('GET', '/console/api/passkeys');
      expect(list.body.items).toEqual([added.body]);
      const user = await server.services.store.console.findUserByEmail('reg@example.test');
      const [stored] = await server.services.store.console.listPasskeys(user!.id);
      expect(stored).toMatchObject({ credentialId: authenticator.id, counter: 0, transports: ['internal'] });
      const [audit] = await auditOf('user.passkey_added');
      expect(audit).toMatchObject({ target: user!.id, details: { passkeyId: added.body.id, name: 'YubiKey' } });
    });

    it('takes each challenge once, and refuses one from another origin or without CSRF', async () => {
      const c = await enrolledUser('once@example.test');
      const authenticator = new SoftAuthenticator(server.url);
      expect((await c.call('POST', '/console/api/passkeys/registration/options', undefined, { csrf: false })).body.code).toBe(
        'CSRF_FAILED',
      );
      const options = await c.call('POST', '/console/api/passkeys/registration/options');
      const phished = await c.call('POST', '/console/api/passkeys/registration/verify', {
        response: authenticator.create(options.body, 'https://evil.example'),
        name: 'x',
      });
      expect(phished.status).toBe(400);
      expect(phished.body.code).toBe('VALIDATION_FAILED');
      // The refused attempt used up the challenge: the right answer to it is refused too.
      const late = await c.call('POST', '/console/api/passkeys/registration/verify', {
        response: authenticator.create(options.body),
        name: 'x',
      });
      expect(late.status).toBe(400);
      expect((await c.call('GET', '/console/api/passkeys')).body.items).toEqual([]);
    });

    it('refuses a challenge past its five minutes', async () => {
      const c = await enrolledUser('slow@example.test');
      const options = await c.call('POST', '/console/api/passkeys/registration/options');
      server.clock.skip(5 * 60_000 + 1);
      const r = await c.call('POST', '/console/api/passkeys/registration/verify', {
        response: new SoftAuthenticator(server.url).create(options.body),
        name: 'x',
      });
      expect(r.status).toBe(400);
    });

    it('opens nothing to a half-open session', async () => {
      await enrolledUser('half@example.test');
      const { c } = await password('half@example.test');
      expect((await c.call('POST', '/console/api/passkeys/registration/options')).status).toBe(401);
      expect((await c.call('GET', '/console/api/passkeys')).status).toBe(401);
    });
  });

  describe('signing in with a passkey', () => {
    it('accepts a passkey after the password, in place of the TOTP code, and audits its use', async () => {
      const authenticator = new SoftAuthenticator(server.url);
      const id = await register(await enrolledUser('pk@example.test'), authenticator);
      const { c } = await password('pk@example.test');
      const options = await c.call('POST', '/console/api/login/passkey/options');
      expect(options.status).toBe(200);
      // No credential named: the passkey is discoverable, and a list would say the password was right.
      expect(options.body.allowCredentials).toEqual([]);
      const signed = await c.call('POST', '/console/api/login/passkey/verify', { response: authenticator.get(options.body) });
      expect(signed.status).toBe(200);
      expect(signed.body.stage).toBe('full');
      expect((await c.call('GET', '/v1/keyspaces')).status).toBe(200);

      const [listed] = (await c.call('GET', '/console/api/passkeys')).body.items;
      expect(listed.lastUsedAt).not.toBeNull();
      const [used] = await auditOf('user.passkey_used');
      expect(used.details).toEqual({ passkeyId: id, name: 'Laptop' });
      const [login] = await auditOf('user.login');
      expect(login.details).toEqual({ method: 'passkey' });
    });

    it('refuses a replayed assertion, a forged signature, a counter that went back, and another origin', async () => {
      const authenticator = new SoftAuthenticator(server.url);
      await register(await enrolledUser('replay@example.test'), authenticator);
      const first = await password('replay@example.test');
      const options = await first.c.call('POST', '/console/api/login/passkey/options');
      const assertion = authenticator.get(options.body);
      expect((await first.c.call('POST', '/console/api/login/passkey/verify', { response: assertion })).status).toBe(200);

      const attempt = async (answer: (o: { challenge: string }) => object) => {
        const { c } = await password('replay@example.test');
        const o = await c.call('POST', '/console/api/login/passkey/options');
        const r = await c.call('POST', '/console/api/login/passkey/verify', { response: answer(o.body) });
        expect((await c.call('GET', '/console/api/session')).status).toBe(401);
        return r;
      };
      // The same assertion again, in a new sign-in: its challenge is not this session's.
      const replayed = await attempt(() => assertion);
      expect(replayed.status).toBe(401);
      expect(replayed.body.code).toBe('UNAUTHORIZED');
      // A signature that does not verify.
      expect(
        (
          await attempt((o) => {
            const a = authenticator.get(o);
            return { ...a, response: { ...a.response, signature: Buffer.alloc(70, 1).toString('base64url') } };
          })
        ).status,
      ).toBe(401);
      // A counter that did not grow: a cloned authenticator.
      expect((await attempt((o) => authenticator.get(o, { counter: 1 }))).status).toBe(401);
      // Signed for another origin.
      expect((await attempt((o) => authenticator.get(o, { origin: 'https://evil.example', counter: 50 }))).status).toBe(401);

      const failures = (await auditOf('user.login_failed')).filter((e: { details: { reason: string } }) => e.details.reason === 'passkey');
      expect(failures.length).toBeGreaterThanOrEqual(4);
      // Four failures in a row lock nothing yet; a good assertion still works.
      const ok = await password('replay@example.test');
      const o = await ok.c.call('POST', '/console/api/login/passkey/options');
      expect(
        (await ok.c.call('POST', '/console/api/login/passkey/verify', { response: authenticator.get(o.body, { counter: 60 }) })).status,
      ).toBe(200);
    });

    it("refuses another user's passkey", async () => {
      const mallory = new SoftAuthenticator(server.url);
      await register(await enrolledUser('mallory@example.test'), mallory);
      await register(await enrolledUser('victim@example.test'), new SoftAuthenticator(server.url));
      const { c } = await password('victim@example.test');
      const o = await c.call('POST', '/console/api/login/passkey/options');
      expect((await c.call('POST', '/console/api/login/passkey/verify', { response: mallory.get(o.body) })).status).toBe(401);
    });

    it('counts failed passkey attempts towards the lockout, like wrong TOTP codes', async () => {
      const authenticator = new SoftAuthenticator(server.url);
      await register(await enrolledUser('lock@example.test'), authenticator);
      for (let i = 0; i < 5; i++) {
        const { c } = await password('lock@example.test');
        const o = await c.call('POST', '/console/api/login/passkey/options');
        const r = await c.call('POST', '/console/api/login/passkey/verify', {
          response: authenticator.get(o.body, { origin: 'https://evil.example' }),
        });
        expect(r.status).toBe(401);
      }
      const [locked] = await auditOf('user.locked');
      const user = await server.services.store.console.findUserByEmail('lock@example.test');
      expect(locked.target).toBe(user!.id);
      // Locked: the right passkey is refused as a wrong one is.
      const { c } = await password('lock@example.test');
      const o = await c.call('POST', '/console/api/login/passkey/options');
      const r = await c.call('POST', '/console/api/login/passkey/verify', { response: authenticator.get(o.body) });
      expect(r.status).toBe(401);
      server.clock.skip(16 * 60_000);
    });

    it('offers no passkey once it is removed, and refuses it', async () => {
      const authenticator = new SoftAuthenticator(server.url);
      const owner = await enrolledUser('removed@example.test');
      const id = await register(owner, authenticator);
      const before = await password('removed@example.test');
      const staleOptions = await before.c.call('POST', '/console/api/login/passkey/options');

      expect((await owner.call('DELETE', `/console/api/passkeys/${id}`, undefined, { csrf: false })).status).toBe(403);
      expect((await owner.call('DELETE', `/console/api/passkeys/${id}`)).status).toBe(204);
      expect((await owner.call('DELETE', `/console/api/passkeys/${id}`)).status).toBe(404);
      const [removed] = await auditOf('user.passkey_removed');
      expect(removed.details).toEqual({ passkeyId: id, name: 'Laptop' });

      // A sign-in begun before the removal cannot finish with it.
      expect(
        (await before.c.call('POST', '/console/api/login/passkey/verify', { response: authenticator.get(staleOptions.body) })).status,
      ).toBe(401);
      const after = await password('removed@example.test');
      const options = await after.c.call('POST', '/console/api/login/passkey/options');
      expect(options.status).toBe(200);
      expect((await after.c.call('POST', '/console/api/login/passkey/verify', { response: authenticator.get(options.body) })).status).toBe(
        401,
      );
      // The TOTP code still works.
      server.clock.skip(30_000);
      const code = codeFor(secrets.get('removed@example.test')!, server.clock);
      expect((await after.c.call('POST', '/console/api/login/second-factor', { code })).status).toBe(200);
    });

    it("cannot remove another user's passkey", async () => {
      const a = await enrolledUser('a@example.test');
      const id = await register(a, new SoftAuthenticator(server.url));
      const b = await enrolledUser('b@example.test');
      expect((await b.call('DELETE', `/console/api/passkeys/${id}`)).status).toBe(404);
      expect((await a.call('GET', '/console/api/passkeys')).body.items).toHaveLength(1);
    });
  });
});
