import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInProcess } from '../support/cli.js';
import { startTestServer, type TestServer } from '../support/server.js';

// `tessera portal session|settings`, run in-process against a real server.
describe('tessera portal', () => {
  let s: TestServer;
  let keyspaceId: string;
  beforeAll(async () => {
    s = await startTestServer('sqlite');
    keyspaceId = (await s.api('POST', '/v1/keyspaces', { name: 'Acme', prefix: 'acme' })).body.id;
    process.env.TESSERA_URL = s.url;
    process.env.TESSERA_ROOT_KEY = s.rootKey;
  });
  afterAll(async () => {
    delete process.env.TESSERA_URL;
    delete process.env.TESSERA_ROOT_KEY;
    await s?.close();
  });

  const run = runInProcess;

  it('prints a single-use portal link for an owner, the URL alone on the first line', async () => {
    const r = await run('portal', 'session', '--owner', 'cust_7', '--keyspace', keyspaceId, '--return-url', 'https://app.example.com/keys');
    expect(r, r.err).toMatchObject({ code: 0 });
    const url = r.out.split('\n')[0]!;
    expect(url).toMatch(new RegExp(`^${s.url}/portal/open/[0-9a-f]{64}$`));
    expect((await fetch(url, { redirect: 'manual' })).status).toBe(303);
    expect((await fetch(url, { redirect: 'manual' })).status).toBe(410);
    const json = await run(
      'portal',
      'session',
      '--owner',
      'cust_7',
      '--keyspace',
      keyspaceId,
      '--return-url',
      'http://localhost:3000/',
      '--json',
    );
    expect(JSON.parse(json.out)).toMatchObject({
      id: expect.stringMatching(/^psn_/),
      url: expect.any(String),
      expiresAt: expect.any(String),
    });
  });

  it('refuses a missing flag as a usage error and a bad return URL as the server does', async () => {
    expect(await run('portal', 'session', '--owner', 'x', '--keyspace', keyspaceId)).toMatchObject({
      code: 2,
      err: expect.stringContaining('--return-url is required'),
    });
    const bad = await run('portal', 'session', '--owner', 'x', '--keyspace', keyspaceId, '--return-url', 'http://evil.example/');
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('returnUrl must be an absolute https: URL');
    expect((await run('portal', '--help')).out).toContain('portal session --owner ID --keyspace ID --return-url URL');
  });

  it('shows and changes a keyspace’s portal settings', async () => {
    const shown = await run('portal', 'settings', keyspaceId);
    expect(shown.out).toContain('keys per owner     at most 5');
    const set = await run(
      'portal',
      'settings',
      keyspaceId,
      '--max-keys',
      '3',
      '--allowed-scopes',
      'orders:read,orders:write',
      '--max-lifetime-days',
      '30',
      '--brand-color',
      '#0a6b44',
    );
    expect(set, set.err).toMatchObject({ code: 0 });
    expect(set.out).toContain('allowed scopes     orders:read, orders:write');
    expect((await s.api('GET', `/v1/keyspaces/${keyspaceId}/portal`)).body).toMatchObject({
      maxKeysPerOwner: 3,
      maxLifetimeSeconds: 30 * 86_400,
      brandColor: '#0a6b44',
    });
    expect((await run('portal', 'settings', keyspaceId, '--brand-color', 'none')).out).toContain('brand colour       none');
  });
});
