import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { startOAuthServer, type OAuthTestServer } from './support.js';

describe.each(DIALECTS)('OAuth clients and signing keys (%s)', (dialect) => {
  let s: OAuthTestServer;
  beforeAll(async () => {
    s = await startOAuthServer(dialect);
  });
  afterAll(() => s.close());

  const grant = (id: string, secret: string) =>
    s.form('/oauth/token', { grant_type: 'client_credentials' }, { authorization: s.basic(id, secret) });

  it('creates a client whose secret is shown once and stored only as an HMAC', async () => {
    const { clientId, clientSecret, view } = await s.client({
      name: 'billing',
      scopes: ['invoices:read'],
      audience: ['https://billing.example'],
    });
    expect(clientId).toMatch(/^cli_[0-9A-Za-z]{22}$/);
    expect(clientSecret).toMatch(/^tessera_cs_[0-9A-Za-z]{49}$/);
    expect(view).toMatchObject({
      name: 'billing',
      tokenEndpointAuthMethod: 'client_secret_basic',
      grantTypes: ['client_credentials'],
      signingAlg: 'EdDSA',
      accessTokenTtl: 300,
      refreshGraceSeconds: 0,
    });
    const got = await s.api('GET', `/v1/oauth/clients/${clientId}`);
    expect(got.status).toBe(200);
    expect(got.body.clientSecret).toBeUndefined();
    const listed = await s.api('GET', '/v1/oauth/clients');
    expect(listed.body.items.map((c: { clientId: string }) => c.clientId)).toContain(clientId);
    const everywhere = JSON.stringify([got.body, listed.body, (await s.api('GET', '/v1/audit')).body, s.logs]);
    expect(everywhere).not.toContain(clientSecret);
    // The database holds the HMAC, never the secret; signing keys only as keyring ciphertexts.
    const rows = await s.db.store.kysely
      .selectFrom('oauth_client_secrets' as never)
      .selectAll()
      .execute();
    expect(JSON.stringify(rows)).not.toContain(clientSecret);
    expect(rows.some((r) => (r as { hash: string }).hash === s.services.keyring.hash('client_secret', clientSecret!))).toBe(true);
    const keys = (await s.db.store.kysely
      .selectFrom('oauth_signing_keys' as never)
      .selectAll()
      .execute()) as { private_key: string; public_jwk: string }[];
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) {
      expect(k.private_key).not.toMatch(/"d"\s*:/);
      expect(JSON.parse(k.public_jwk).d).toBeUndefined();
    }
    expect((await grant(clientId, clientSecret!)).status).toBe(200);
  });

  it('rotates a secret with an overlap: both work until the grace period ends', async () => {
    const { clientId, clientSecret: old } = await s.client({ scopes: ['a'] });
    const r = await s.api('POST', `/v1/oauth/clients/${clientId}/rotate-secret`, { gracePeriodSeconds: 60 });
    expect(r.status).toBe(200);
    const fresh = r.body.clientSecret as string;
    expect(fresh).not.toBe(old);
    expect((await grant(clientId, old!)).status).toBe(200);
    expect((await grant(clientId, fresh)).status).toBe(200);
    s.clock.advance(61_000);
    expect((await grant(clientId, old!)).status).toBe(401);
    expect((await grant(clientId, fresh)).status).toBe(200);
    // Without a grace period the old secret stops at once.
    const again = (await s.api('POST', `/v1/oauth/clients/${clientId}/rotate-secret`, {})).body.clientSecret as string;
    expect((await grant(clientId, fresh)).status).toBe(401);
    expect((await grant(clientId, again)).status).toBe(200);
    const audit = await s.api('GET', '/v1/audit?action=oauth_client.secret_rotated');
    expect(audit.body.items).toHaveLength(2);
    expect(JSON.stringify(audit.body)).not.toContain(again);
  });

  it('a secret that authenticated before stops at the end of its overlap, and a wrong one never passes', async () => {
    const { clientId, clientSecret: old } = await s.client({ scopes: ['a'] });
    expect((await grant(clientId, old!)).status).toBe(200);
    const fresh = (await s.api('POST', `/v1/oauth/clients/${clientId}/rotate-secret`, { gracePeriodSeconds: 20 })).body
      .clientSecret as string;
    for (let i = 0; i < 2; i++) {
      // The second round is answered from the secrets the server remembers having verified.
      expect((await grant(clientId, old!)).status).toBe(200);
      expect((await grant(clientId, fresh)).status).toBe(200);
      expect((await grant(clientId, `${fresh.slice(0, -1)}${fresh.endsWith('a') ? 'b' : 'a'}`)).status).toBe(401);
    }
    // Past the overlap but well within the time a client stays in memory: the old secret is refused.
    s.clock.advance(21_000);
    expect((await grant(clientId, old!)).status).toBe(401);
    expect((await grant(clientId, fresh)).status).toBe(200);
  });

  it('updates and deletes clients; a deleted client authenticates no more and its tokens go inactive', async () => {
    const { clientId, clientSecret } = await s.client({ scopes: ['a'] });
    const observer = await s.client({ scopes: ['x'] });
    const t = (await grant(clientId, clientSecret!)).body.access_token as string;
    const upd = await s.api('PATCH', `/v1/oauth/clients/${clientId}`, { scopes: ['a', 'b'], accessTokenTtl: 60 });
    expect(upd.body).toMatchObject({ scopes: ['a', 'b'], accessTokenTtl: 60 });
    expect((await grant(clientId, clientSecret!)).body.expires_in).toBe(60);
    expect((await s.api('DELETE', `/v1/oauth/clients/${clientId}`)).status).toBe(204);
    expect((await s.api('GET', `/v1/oauth/clients/${clientId}`)).status).toBe(404);
    expect((await grant(clientId, clientSecret!)).status).toBe(401);
    const intro = await s.form('/oauth/introspect', { token: t }, { authorization: s.basic(observer.clientId, observer.clientSecret!) });
    expect(intro.body).toEqual({ active: false });
    const actions = (await s.api('GET', '/v1/audit?limit=20')).body.items.map(
      (e: { action: string; target: string }) => `${e.action}:${e.target}`,
    );
    expect(actions).toEqual(
      expect.arrayContaining([`oauth_client.created:${clientId}`, `oauth_client.updated:${clientId}`, `oauth_client.deleted:${clientId}`]),
    );
  });

  it('refuses bad client definitions with VALIDATION_FAILED', async () => {
    for (const body of [
      { name: 'x', tokenEndpointAuthMethod: 'private_key_jwt' },
      { name: 'x', jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } },
      { name: 'x', refreshGraceSeconds: 11 },
      { name: 'x', accessTokenTtl: 86_400 },
      { name: 'x', grantTypes: ['password'] },
      { name: 'x', signingAlg: 'HS256' },
      { name: 'x', scopes: ['has space'] },
    ]) {
      const r = await s.api('POST', '/v1/oauth/clients', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.code).toBe('VALIDATION_FAILED');
    }
  });

  it('needs the oauth:manage permission', async () => {
    const rk = await s.api('POST', '/v1/root-keys', { name: 'reader', permissions: ['keys:read'] });
    const r = await s.api('POST', '/v1/oauth/clients', { name: 'x' }, rk.body.key);
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('FORBIDDEN');
    expect((await s.api('GET', '/v1/oauth/clients', undefined, null)).status).toBe(401);
    const ok = await s.api('POST', '/v1/root-keys', { name: 'oauth', permissions: ['oauth:manage'] });
    expect((await s.api('GET', '/v1/oauth/clients', undefined, ok.body.key)).status).toBe(200);
  });

  it('rotates signing keys on schedule: the JWKS always holds next, current and previous', async () => {
    const { clientId, clientSecret } = await s.client({ scopes: ['a'] });
    const kidOf = (t: string) => JSON.parse(Buffer.from(t.split('.')[0]!, 'base64url').toString()).kid as string;
    const published = async () =>
      ((await (await fetch(`${s.url}/oauth/jwks`)).json()) as { keys: { kid: string; alg: string }[] }).keys
        .filter((k) => k.alg === 'EdDSA')
        .map((k) => k.kid);
    const states = async () => (await s.api('GET', '/v1/oauth/signing-keys')).body.items.filter((k: { alg: string }) => k.alg === 'EdDSA');
    const before = await states();
    const current = before.find((k: { state: string }) => k.state === 'current');
    const next = before.find((k: { state: string }) => k.state === 'next');
    expect(current).toBeDefined();
    expect(next).toBeDefined();
    expect(await published()).toEqual(expect.arrayContaining([current.kid, next.kid]));
    const old = (await grant(clientId, clientSecret!)).body.access_token as string;
    expect(kidOf(old)).toBe(current.kid);
    // One rotation period later the next key signs, the old one stays published as previous.
    s.clock.set(Date.parse(current.retiresAt) + 1000);
    await s.services.oauth.maintain();
    const after = await states();
    expect(after.find((k: { state: string }) => k.state === 'current').kid).toBe(next.kid);
    expect(after.find((k: { state: string }) => k.state === 'previous').kid).toBe(current.kid);
    expect(after.filter((k: { state: string }) => k.state === 'next')).toHaveLength(1);
    const fresh = (await grant(clientId, clientSecret!)).body.access_token as string;
    expect(kidOf(fresh)).toBe(next.kid);
    expect(await published()).toEqual(expect.arrayContaining([current.kid, next.kid]));
    // Once every token it signed has expired, the previous key leaves the JWKS.
    s.clock.set(Date.parse(current.expiresAt) + 1000);
    await s.services.oauth.maintain();
    expect(await published()).not.toContain(current.kid);
    // Key creation is the system's doing, in no workspace: read the chain itself.
    const audit = await s.services.store.listAudit({ limit: 50, action: 'oauth_signing_key.created' });
    expect(audit.length).toBeGreaterThanOrEqual(3);
    expect(audit.every((e) => e.actor === 'system' && JSON.stringify(e.details).includes('EdDSA') === (e.details.alg === 'EdDSA'))).toBe(
      true,
    );
  });
});
