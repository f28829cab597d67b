import * as oidc from 'openid-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { BrowserJar } from './browser-jar.js';
import { startOAuthServer, type OAuthTestServer } from './support.js';

const PASSWORD = 'correct horse battery staple';
const REDIRECT = 'http://127.0.0.1/callback';

/** Administrators list a user's grants, revoke one app's, and end every sign-in and grant of the user. */
describe.each(DIALECTS)('an end user’s grants and sessions, as an administrator ends them (%s)', (dialect) => {
  let s: OAuthTestServer;
  let userId: string;
  let notes: string;
  let tasks: string;
  const jar = new BrowserJar();
  beforeAll(async () => {
    s = await startOAuthServer(dialect);
    userId = (await s.api('POST', '/v1/users', { email: 'ada@example.com', password: PASSWORD })).body.userId;
    const make = async (name: string) =>
      (
        await s.client({
          name,
          scopes: ['notes:read'],
          grantTypes: ['authorization_code', 'refresh_token'],
          redirectUris: [REDIRECT],
          tokenEndpointAuthMethod: 'none',
        })
      ).clientId;
    notes = await make('Notes');
    tasks = await make('Tasks');
  });
  afterAll(() => s.close());
  beforeEach(() => s.clock.set(Math.max(s.clock.now(), Date.now())));

  /** Runs the flow in the jar (signing in and consenting when asked); which pages it went through, and the tokens. */
  async function signInTo(clientId: string) {
    const verifier = oidc.randomPKCECodeVerifier();
    const params = new URLSearchParams({
      client_id: clientId,
      response_type: 'code',
      redirect_uri: REDIRECT,
      scope: 'openid notes:read offline_access',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const seen: string[] = [];
    let page = await jar.get(`${s.url}/oauth/authorize?${params}`);
    if (page.status === 200 && page.has('button', 'Sign in')) {
      seen.push('sign-in');
      page = await jar.submit(page, s.url, { email: 'ada@example.com', password: PASSWORD });
    }
    if (page.status === 200 && page.has('button', 'Allow')) {
      seen.push('consent');
      page = await jar.submit(page, s.url, { decision: 'allow' });
    }
    expect(page.status).toBe(303);
    const config = await s.discover(clientId, oidc.None());
    const tokens = await oidc.authorizationCodeGrant(config, new URL(page.location!), { pkceCodeVerifier: verifier });
    return { seen, refreshToken: tokens.refresh_token! };
  }
  const refresh = (clientId: string, token: string) =>
    s.form('/oauth/token', { grant_type: 'refresh_token', refresh_token: token, client_id: clientId });
  const audit = async (action: string) => (await s.api('GET', `/v1/audit?action=${action}`)).body.items as any[];

  it('lists the apps a user allowed, revokes one app’s access, and ends every sign-in and grant', async () => {
    const first = await signInTo(notes);
    expect(first.seen).toEqual(['sign-in', 'consent']);
    const other = await signInTo(tasks);
    expect(other.seen).toEqual(['consent']);
    const grants = await s.api('GET', `/v1/users/${userId}/grants`);
    expect(grants.status).toBe(200);
    expect(grants.body.items).toEqual(
      [
        { clientId: notes, clientName: 'Notes', activeGrants: 1 },
        { clientId: tasks, clientName: 'Tasks', activeGrants: 1 },
      ]
        .sort((a, b) => (a.clientId < b.clientId ? -1 : 1))
        .map((g) => ({
          ...g,
          scopes: ['openid', 'notes:read', 'offline_access'],
          grantedAt: expect.any(String),
          updatedAt: expect.any(String),
        })),
    );

    // One app's access: its consent and its refresh tokens; the other app keeps both.
    expect((await s.api('DELETE', `/v1/users/${userId}/grants/${notes}`)).status).toBe(204);
    expect((await refresh(notes, first.refreshToken)).body).toMatchObject({ error: 'invalid_grant' });
    const kept = await refresh(tasks, other.refreshToken);
    expect(kept.status).toBe(200);
    expect((await s.api('GET', `/v1/users/${userId}/grants`)).body.items.map((g: any) => g.clientId)).toEqual([tasks]);
    expect((await s.api('DELETE', `/v1/users/${userId}/grants/${notes}`)).status).toBe(404);
    expect(await audit('oauth_consent.revoked')).toEqual([
      expect.objectContaining({ target: notes, details: { userId, familiesRevoked: 1 } }),
    ]);
    // Signed in still, but the app must ask again.
    const again = await signInTo(notes);
    expect(again.seen).toEqual(['consent']);

    // Everything: the sign-in (the cookie is refused), both grants, both consents.
    const ended = await s.api('POST', `/v1/users/${userId}/sessions/end`);
    expect(ended.status).toBe(200);
    expect(ended.body).toEqual({ familiesRevoked: 2, consentsForgotten: 2 });
    expect((await refresh(tasks, kept.body.refresh_token)).body).toMatchObject({ error: 'invalid_grant' });
    expect((await refresh(notes, again.refreshToken)).body).toMatchObject({ error: 'invalid_grant' });
    expect((await s.api('GET', `/v1/users/${userId}/grants`)).body.items).toEqual([]);
    expect(await audit('end_user.sessions_ended')).toEqual([
      expect.objectContaining({ target: userId, details: { familiesRevoked: 2, consentsForgotten: 2 } }),
    ]);
    s.clock.advance(1000);
    const afterwards = await signInTo(tasks);
    expect(afterwards.seen).toEqual(['sign-in', 'consent']);
  });

  it('answers 404 for a user of no grant or of another workspace, and needs end_users:manage to end anything', async () => {
    const missing = 'eu_0000000000000000000000';
    expect((await s.api('GET', `/v1/users/${missing}/grants`)).status).toBe(404);
    expect((await s.api('POST', `/v1/users/${missing}/sessions/end`)).status).toBe(404);
    expect((await s.api('DELETE', `/v1/users/${userId}/grants/cli_nothing`)).status).toBe(404);
    const reader = (await s.api('POST', '/v1/root-keys', { name: 'reader', permissions: ['end_users:read'] })).body.key;
    expect((await s.api('GET', `/v1/users/${userId}/grants`, undefined, reader)).status).toBe(200);
    expect((await s.api('POST', `/v1/users/${userId}/sessions/end`, undefined, reader)).status).toBe(403);
    expect((await s.api('DELETE', `/v1/users/${userId}/grants/${tasks}`, undefined, reader)).status).toBe(403);
  });
});
