import { AuthorizationServer, ConsoleAccounts, ManualClock, MemoryKeyring, newId, type AuthorizationRequest } from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { client } from '../store/contract/oauth-fixtures.js';

/**
 * End users' sign-ins at the authorization endpoint, against a real store: failures throttle their
 * source network past the limit (before any password work), and the audit log gets one entry per
 * failure within the window's budget, then a summary.
 */
describe('end-user sign-in: throttle and audit budget', () => {
  let db: TestDatabase;
  let accounts: ConsoleAccounts;
  let server: AuthorizationServer;
  let request: AuthorizationRequest;
  const clock = new ManualClock(Date.now());
  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
    const keyring = MemoryKeyring.generate();
    accounts = new ConsoleAccounts({ store: db.store, keyring, clock });
    // Only the authorization endpoint's flow is used here: no token is signed.
    server = new AuthorizationServer({
      store: db.ports.oauth,
      keyring,
      clock,
      passwords: accounts.passwords,
      signInLimits: { perNetwork: 3, windowMs: 60_000, auditBudget: 2 },
    } as unknown as ConstructorParameters<typeof AuthorizationServer>[0]);
    const c = client({
      id: newId('oauthClient'),
      grantTypes: ['authorization_code'],
      authMethod: 'none',
      jwks: null,
      workspaceId: 'ws_default',
    });
    await db.ports.oauth.insertClient(c);
    const params = new Map(
      Object.entries({
        client_id: c.id,
        response_type: 'code',
        redirect_uri: 'https://app.example/cb',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      }).map(([k, v]) => [k, [v]]),
    );
    const checked = await server.authorization.check(params);
    if (!checked.ok) throw new Error('the request should be good');
    request = checked.request;
  });
  afterAll(async () => {
    await accounts.close();
    await db.drop();
  });

  it('throttles a network after its failures, audits within the budget, and sums the rest', async () => {
    const signIn = (ip: string, email = 'nobody@example.com') =>
      server.authorization.signIn(request, 'https://id.example', { email, password: 'wrong password here', ip });
    for (let i = 0; i < 3; i++) expect(await signIn('198.51.100.7')).toEqual({ ok: false, throttled: false });
    // The fourth from that network is refused before any work; another network still gets its answer.
    expect(await signIn('198.51.100.7')).toEqual({ ok: false, throttled: true });
    expect(await signIn('203.0.113.9')).toEqual({ ok: false, throttled: false });
    const entries = async () => (await db.store.listAudit({ limit: 100 })).filter((e) => e.action.startsWith('end_user.'));
    expect((await entries()).map((e) => e.action)).toEqual(['end_user.sign_in_failed', 'end_user.sign_in_failed']);
    // Once the window is over, the next failure writes the summary of those left out.
    clock.advance(60_000);
    expect(await signIn('203.0.113.9')).toEqual({ ok: false, throttled: false });
    const summary = (await entries()).find((e) => e.action === 'end_user.sign_in_failures');
    expect(summary?.details).toMatchObject({ failures: 2, networks: 2, reasons: { unknown_user: 2 } });
  });
});
