import { main } from '@tessera/server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
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

  const run = async (...argv: string[]) => {
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const code = await main(argv);
      return { code, out: out.join('') };
    } finally {
      spy.mockRestore();
      err.mockRestore();
    }
  };

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
