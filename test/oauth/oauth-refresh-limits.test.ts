import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { startOAuthServer, type OAuthTestServer } from './support.js';

const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const API_KEY_TYPE = 'urn:tessera:token-type:api-key';
const DAY_MS = 86_400_000;

/**
 * A refresh family made by exchanging an API key answers to the key and the client as they are
 * now, not as they were at the exchange: scopes, audience, IP allowlist, rate limits, credits, and
 * an absolute lifetime per client.
 */
describe.each(DIALECTS)('refreshes of an exchanged API key follow the key and the client as they are now (%s)', (dialect) => {
  let s: OAuthTestServer;
  let keyspaceId: string;
  beforeAll(async () => {
    s = await startOAuthServer(dialect);
    keyspaceId = (await s.api('POST', '/v1/keyspaces', { name: 'prod', prefix: 'sk_rl' })).body.id;
  });
  afterAll(() => s.close());
  beforeEach(() => s.clock.set(Math.max(s.clock.now(), Date.now())));

  const jwks = () => createRemoteJWKSet(new URL(`${s.url}/oauth/jwks`));
  const claims = async (token: string, audience: string) =>
    (await jwtVerify(token, jwks(), { issuer: s.url, audience, typ: 'at+jwt', currentDate: new Date(s.clock.now()) })).payload;

  async function exchanged(key: Record<string, unknown>, client: Record<string, unknown> = {}, audience: string[] = []) {
    const k = (await s.api('POST', '/v1/keys', { keyspaceId, ownerId: 'cust_7', scopes: ['documents:*', 'billing:read'], ...key })).body;
    const c = await s.client({
      scopes: ['documents:*', 'billing:*'],
      audience: ['https://docs.example', 'https://billing.example'],
      grantTypes: [EXCHANGE, 'refresh_token'],
      ...client,
    });
    const config = await s.discover(c.clientId, oidc.ClientSecretBasic(c.clientSecret!));
    const params = new URLSearchParams({ subject_token: k.key, subject_token_type: API_KEY_TYPE });
    for (const a of audience) params.append('audience', a);
    const t = await oidc.genericGrantRequest(config, EXCHANGE, params);
    return { key: k, client: c, config, first: t };
  }

  it('narrowing the key’s scopes narrows the next refresh; a wildcard narrows to what the key still grants', async () => {
    const { key, config, first } = await exchanged({});
    expect(first.scope).toBe('documents:* billing:read');
    expect((await s.api('PATCH', `/v1/keys/${key.keyId}`, { scopes: ['documents:read'] })).status).toBe(200);
    const next = await oidc.refreshTokenGrant(config, first.refresh_token!);
    expect(next.scope).toBe('documents:read');
    expect((await claims(next.access_token, 'https://docs.example')).scope).toBe('documents:read');
    // Asking for more than the key grants now is refused, not narrowed.
    await expect(oidc.refreshTokenGrant(config, next.refresh_token!, { scope: 'billing:read' })).rejects.toMatchObject({
      error: 'invalid_scope',
    });
  });

  it('narrowing the client’s scopes or audience reaches the next refresh', async () => {
    const { client, config, first } = await exchanged({}, {}, ['https://docs.example', 'https://billing.example']);
    const patched = await s.api('PATCH', `/v1/oauth/clients/${client.clientId}`, {
      scopes: ['documents:write'],
      audience: ['https://billing.example'],
    });
    expect(patched.status).toBe(200);
    const next = await oidc.refreshTokenGrant(config, first.refresh_token!);
    expect(next.scope).toBe('documents:write');
    const payload = await claims(next.access_token, 'https://billing.example');
    expect(payload.aud).toBe('https://billing.example');
    // No audience the family named is left to the client: refused.
    await s.api('PATCH', `/v1/oauth/clients/${client.clientId}`, { audience: ['https://elsewhere.example'] });
    await expect(oidc.refreshTokenGrant(config, next.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('an IP allowlist added to the key applies to the refreshing caller', async () => {
    const { key, config, first } = await exchanged({});
    await s.api('PATCH', `/v1/keys/${key.keyId}`, { ipAllowlist: ['10.0.0.0/8'] });
    await expect(oidc.refreshTokenGrant(config, first.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    // The refusal did not spend the token: from an allowed address it still works.
    await s.api('PATCH', `/v1/keys/${key.keyId}`, { ipAllowlist: ['127.0.0.0/8', '::1/128'] });
    expect((await oidc.refreshTokenGrant(config, first.refresh_token!)).access_token).toBeTypeOf('string');
  });

  it('each refresh spends one credit of the key; with none left, refresh is refused', async () => {
    const { key, config, first } = await exchanged({ credits: { remaining: 3 } });
    // The exchange spent one; two refreshes spend the rest.
    const second = await oidc.refreshTokenGrant(config, first.refresh_token!);
    const third = await oidc.refreshTokenGrant(config, second.refresh_token!);
    await expect(oidc.refreshTokenGrant(config, third.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    await new Promise((r) => setTimeout(r, 150)); // the usage batch is written every 50 ms
    expect((await s.api('GET', `/v1/keys/${key.keyId}`)).body.credits.remaining).toBe(0);
    // Credits given again: the unspent token refreshes.
    await s.api('PATCH', `/v1/keys/${key.keyId}`, { credits: { remaining: 1 } });
    expect((await oidc.refreshTokenGrant(config, third.refresh_token!)).access_token).toBeTypeOf('string');
  });

  it('each refresh counts against the key’s rate limits', async () => {
    const { key, config, first } = await exchanged({ ratelimits: [{ name: 'minute', limit: 2, windowMs: 60_000 }] });
    const second = await oidc.refreshTokenGrant(config, first.refresh_token!);
    await expect(oidc.refreshTokenGrant(config, second.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    const verify = await s.api('POST', '/v1/keys/verify', { key: key.key });
    expect(verify.body.code).toBe('RATE_LIMITED');
    s.clock.advance(61_000);
    expect((await oidc.refreshTokenGrant(config, second.refresh_token!)).access_token).toBeTypeOf('string');
  });

  it('a family ends at its absolute lifetime: 30 days by default, shorter when the client says so', async () => {
    const { config, first } = await exchanged({});
    const start = s.clock.now();
    let rt = first.refresh_token!;
    for (let i = 0; i < 4; i++) {
      s.clock.advance(6 * DAY_MS); // within the 7-day refresh-token lifetime
      rt = (await oidc.refreshTokenGrant(config, rt)).refresh_token!;
    }
    s.clock.set(start + 30 * DAY_MS);
    await expect(oidc.refreshTokenGrant(config, rt)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect((await oidc.tokenIntrospection(config, rt)).active).toBe(false);

    const short = await exchanged({}, { refreshFamilyLifetime: 3600 });
    expect(short.client.view.refreshFamilyLifetime).toBe(3600);
    const next = await oidc.refreshTokenGrant(short.config, short.first.refresh_token!);
    // The new refresh token does not outlive the family.
    const intro = await oidc.tokenIntrospection(short.config, next.refresh_token!);
    expect(intro.exp! * 1000).toBeLessThanOrEqual(s.clock.now() + 3600_000);
    s.clock.advance(3601_000);
    await expect(oidc.refreshTokenGrant(short.config, next.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    // Shortened after the fact: a family already older than the new lifetime ends at once.
    const later = await exchanged({});
    s.clock.advance(7200_000);
    await s.api('PATCH', `/v1/oauth/clients/${later.client.clientId}`, { refreshFamilyLifetime: 3600 });
    await expect(oidc.refreshTokenGrant(later.config, later.first.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });
});
