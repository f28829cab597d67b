import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOnce, runCli } from '../support/cli.js';
import { startOAuthServer, type OAuthTestServer } from './support.js';
import { startUpstream, type Upstream } from './upstream-provider.js';

/** `tessera oauth upstream add|list|remove`, as a user runs it, against a running server and a real upstream. */
describe('tessera oauth upstream …', () => {
  let s: OAuthTestServer;
  let up: Upstream;
  let env: Record<string, string>;
  beforeAll(async () => {
    buildOnce();
    s = await startOAuthServer('sqlite');
    up = await startUpstream(s.url + '/oauth/federation/callback');
    env = { TESSERA_URL: s.url, TESSERA_ROOT_KEY: s.rootKey };
  });
  afterAll(async () => {
    await up?.close();
    await s?.close();
  });

  it('adds a provider with its secret from stdin, lists it and removes it', async () => {
    const args = ['oauth', 'upstream', 'add', '--name', 'Acme SSO', '--issuer', up.issuer, '--client-id', up.clientId];
    const none = await runCli(args, { env });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('pipe the client secret on stdin');
    const added = await runCli([...args, '--scopes', 'email', '--claim-mapping', 'name=nickname'], { env, input: `${up.clientSecret}\n` });
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toContain(`${s.url}/oauth/federation/callback`);
    const [p] = (await s.api('GET', '/v1/oauth/upstream-providers')).body.items;
    expect(p).toMatchObject({ name: 'Acme SSO', scopes: ['openid', 'email'], claimMapping: { name: 'nickname' } });
    expect(added.stdout).toContain(p.providerId);
    expect(added.stdout + added.stderr).not.toContain(up.clientSecret);
    const listed = await runCli(['oauth', 'upstream', 'list'], { env });
    expect(listed.stdout).toContain(p.providerId);
    expect(listed.stdout).toContain(up.issuer);
    expect(listed.stdout).not.toContain(up.clientSecret);
    expect((await runCli(['oauth', 'upstream', 'remove', p.providerId], { env })).code).toBe(0);
    expect((await s.api('GET', '/v1/oauth/upstream-providers')).body.items).toEqual([]);
    expect((await runCli(['oauth', 'upstream', 'frobnicate'], { env })).code).toBe(2);
  });
});
