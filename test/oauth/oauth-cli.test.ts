import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { runInProcess } from '../support/cli.js';
import { startOAuthServer, type OAuthTestServer } from './support.js';

describe('tessera oauth clients … against a running server', () => {
  let s: OAuthTestServer;
  beforeAll(async () => {
    s = await startOAuthServer('sqlite');
    process.env.TESSERA_URL = s.url;
    process.env.TESSERA_ROOT_KEY = s.rootKey;
  });
  afterAll(async () => {
    delete process.env.TESSERA_URL;
    delete process.env.TESSERA_ROOT_KEY;
    await s.close();
  });

  const run = runInProcess;

  it('creates, lists, rotates the secret of and removes a client', async () => {
    const created = await run('oauth', 'clients', 'create', '--name', 'cli', '--scopes', 'a,b', '--alg', 'ES256', '--json');
    expect(created.code).toBe(0);
    const c = JSON.parse(created.out);
    expect(c).toMatchObject({ name: 'cli', scopes: ['a', 'b'], signingAlg: 'ES256' });
    expect(c.clientSecret).toMatch(/^tessera_cs_/);
    const listed = await run('oauth', 'clients', 'list');
    expect(listed.out).toContain(c.clientId);
    expect(listed.out).not.toContain(c.clientSecret);
    const rotated = JSON.parse((await run('oauth', 'clients', 'rotate-secret', c.clientId, '--grace', '30', '--json')).out);
    expect(rotated.clientSecret).not.toBe(c.clientSecret);
    const token = await s.form(
      '/oauth/token',
      { grant_type: 'client_credentials' },
      { authorization: s.basic(c.clientId, rotated.clientSecret) },
    );
    expect(token.status).toBe(200);
    expect((await run('oauth', 'clients', 'rm', c.clientId)).code).toBe(0);
    expect((await s.api('GET', `/v1/oauth/clients/${c.clientId}`)).status).toBe(404);
    expect((await run('oauth', 'clients', 'frobnicate')).code).toBe(2);
  });

  it('registers a public client for people, and manages end users (tessera end-users …)', async () => {
    const pub = JSON.parse(
      (
        await run(
          'oauth',
          'clients',
          'create',
          '--name',
          'notes',
          '--grant-types',
          'authorization_code,refresh_token',
          '--redirect-uris',
          'http://127.0.0.1/callback,com.example.notes:/cb',
          '--auth-method',
          'none',
          '--json',
        )
      ).out,
    );
    expect(pub).toMatchObject({ tokenEndpointAuthMethod: 'none', redirectUris: ['http://127.0.0.1/callback', 'com.example.notes:/cb'] });
    expect(pub.clientSecret).toBeUndefined();
    const dir = mkdtempSync(join(tmpdir(), 'tessera-cli-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'password');
    writeFileSync(file, 'correct horse battery staple\n', { mode: 0o600 });
    const made = await run(
      'end-users',
      'create',
      '--email',
      'Ada@Example.com',
      '--name',
      'Ada',
      '--email-verified',
      '--password-file',
      file,
      '--json',
    );
    expect(made.code).toBe(0);
    const u = JSON.parse(made.out);
    expect(u).toMatchObject({ email: 'ada@example.com', name: 'Ada', emailVerified: true, disabled: false });
    expect(made.out).not.toContain('correct horse');
    expect((await run('end-users', 'list')).out).toContain(u.userId);
    expect((await run('end-users', 'disable', u.userId)).out).toContain('ada@example.com is disabled');
    expect(JSON.parse((await run('end-users', 'get', u.userId, '--json')).out).disabled).toBe(true);
    expect((await run('end-users', 'enable', u.userId)).code).toBe(0);
    expect(JSON.parse((await run('end-users', 'grants', u.userId, '--json')).out)).toEqual({ items: [] });
    expect((await run('end-users', 'end-sessions', u.userId)).out).toContain('revoked 0 grant(s); forgot 0 consent(s)');
    expect((await run('end-users', 'revoke-grant', u.userId, 'cli_none')).code).not.toBe(0);
    // No second factor enrolled: nothing to reset (the API's 404, not a usage error).
    const reset = await run('end-users', 'reset-second-factor', u.userId);
    expect(reset.code).toBe(1);
    expect(reset.err).toContain('This user has no second factor.');
    expect((await run('end-users', 'rm', u.userId)).code).toBe(0);
    expect((await s.api('GET', `/v1/users/${u.userId}`)).status).toBe(404);
    expect((await run('end-users', 'frobnicate')).code).toBe(2);
  });

  it('pages through end users and clients with --all, and says so when a list has more pages', async () => {
    for (const name of ['page-a', 'page-b', 'page-c']) {
      expect((await s.api('POST', '/v1/users', { email: `${name}@example.com`, password: 'correct horse battery staple' })).status).toBe(
        201,
      );
      expect((await s.api('POST', '/v1/oauth/clients', { name, scopes: ['a'] })).status).toBe(201);
    }
    const users = await s.api('GET', '/v1/users?limit=500');
    const clients = await s.api('GET', '/v1/oauth/clients?limit=500');
    const onePage = await run('end-users', 'list', '--limit', '2', '--json');
    expect(JSON.parse(onePage.out).items).toHaveLength(2);
    expect(onePage.err).toContain('More on later pages: add --all for every item.');
    const all = await run('end-users', 'list', '--limit', '2', '--all', '--json');
    expect(all.err).not.toContain('More on later pages');
    expect(
      JSON.parse(all.out)
        .items.map((u: { userId: string }) => u.userId)
        .sort(),
    ).toEqual(users.body.items.map((u: { userId: string }) => u.userId).sort());
    const allClients = JSON.parse((await run('oauth', 'clients', 'list', '--limit', '1', '--all', '--json')).out).items;
    expect(allClients.map((c: { clientId: string }) => c.clientId).sort()).toEqual(
      clients.body.items.map((c: { clientId: string }) => c.clientId).sort(),
    );
  });

  it('lists signing keys and retires one', async () => {
    const listed = JSON.parse((await run('oauth', 'signing-keys', 'list', '--json')).out) as { items: { kid: string; state: string }[] };
    const current = listed.items.find((k) => k.state === 'current')!;
    const next = listed.items.find((k) => k.state === 'next')!;
    const r = await run('oauth', 'signing-keys', 'retire', current.kid, '--reason', 'drill');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`Retired signing key ${current.kid} (current)`);
    expect(r.out).toContain(`Key ${next.kid} signs from now on.`);
    expect((await run('oauth', 'signing-keys', 'list')).out).not.toContain(current.kid);
  });

  it('puts a client on a secret-rotation schedule and takes it off', async () => {
    const c = JSON.parse((await run('oauth', 'clients', 'create', '--name', 'scheduled', '--scopes', 'a', '--json')).out);
    const on = await run('oauth', 'clients', 'schedule', c.clientId, '--every', '90', '--overlap', '86400');
    expect(on.code).toBe(0);
    expect(on.out).toContain(`Client ${c.clientId}: its secret falls due every 90 days`);
    expect(on.out).toContain('keeps the old one 86400 seconds');
    const off = JSON.parse((await run('oauth', 'clients', 'schedule', c.clientId, '--every', 'off', '--json')).out);
    expect(off).toMatchObject({ secretRotation: null, secretRotationDueAt: null });
  });
});
