import { createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { startOAuthServer, type OAuthTestServer } from './support.js';

const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const API_KEY_TYPE = 'urn:tessera:token-type:api-key';

describe.each(DIALECTS)('OAuth flows with openid-client and jose as the other side (%s)', (dialect) => {
  let s: OAuthTestServer;
  let keyspaceId: string;
  beforeAll(async () => {
    s = await startOAuthServer(dialect);
    keyspaceId = (await s.api('POST', '/v1/keyspaces', { name: 'prod', prefix: 'sk_live' })).body.id;
  });
  afterAll(() => s.close());
  // DPoP proofs and assertions carry real time; the server's clock moves only when told, so catch up.
  beforeEach(() => s.clock.set(Math.max(s.clock.now(), Date.now())));

  const jwks = () => createRemoteJWKSet(new URL(`${s.url}/oauth/jwks`));
  const apiKey = async (body: Record<string, unknown> = {}) =>
    (await s.api('POST', '/v1/keys', { keyspaceId, ownerId: 'cust_42', scopes: ['documents:*', 'billing:read'], ...body })).body;

  it('publishes RFC 8414 metadata that openid-client discovers', async () => {
    const { clientId, clientSecret } = await s.client({ scopes: ['a'] });
    const config = await s.discover(clientId, oidc.ClientSecretBasic(clientSecret!));
    const m = config.serverMetadata();
    expect(m.issuer).toBe(s.url);
    expect(m.token_endpoint).toBe(`${s.url}/oauth/token`);
    expect(m.introspection_endpoint).toBe(`${s.url}/oauth/introspect`);
    expect(m.revocation_endpoint).toBe(`${s.url}/oauth/revoke`);
    expect(m.jwks_uri).toBe(`${s.url}/oauth/jwks`);
    expect(m.grant_types_supported).toEqual(expect.arrayContaining(['client_credentials', 'refresh_token', EXCHANGE]));
    expect(m.token_endpoint_auth_methods_supported).toEqual(['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none']);
    expect(m.dpop_signing_alg_values_supported).toEqual(expect.arrayContaining(['ES256', 'EdDSA']));
  });

  it('client_credentials with client_secret_basic: an RFC 9068 JWT that jose verifies from the JWKS', async () => {
    const { clientId, clientSecret } = await s.client({ scopes: ['documents:read', 'documents:write'], audience: ['https://api.example'] });
    const config = await s.discover(clientId, oidc.ClientSecretBasic(clientSecret!));
    const t = await oidc.clientCredentialsGrant(config, { scope: 'documents:read' });
    expect(t.token_type).toBe('bearer');
    expect(t.expires_in).toBe(300);
    expect(t.scope).toBe('documents:read');
    expect(t.refresh_token).toBeUndefined();
    const { payload, protectedHeader } = await jwtVerify(t.access_token, jwks(), {
      issuer: s.url,
      audience: 'https://api.example',
      typ: 'at+jwt',
      algorithms: ['EdDSA'],
    });
    expect(protectedHeader.kid).toBeTypeOf('string');
    expect(payload).toMatchObject({ sub: clientId, client_id: clientId, scope: 'documents:read' });
    expect(payload.exp! - payload.iat!).toBe(300);
    expect(payload.jti).toBeTypeOf('string');
    // No scope asked: the client's default scopes. A scope outside them: invalid_scope, never narrowed.
    expect((await oidc.clientCredentialsGrant(config)).scope).toBe('documents:read documents:write');
    await expect(oidc.clientCredentialsGrant(config, { scope: 'documents:read admin' })).rejects.toMatchObject({
      error: 'invalid_scope',
      status: 400,
    });
    await expect(oidc.clientCredentialsGrant(config, { resource: 'https://elsewhere.example' })).rejects.toMatchObject({
      error: 'invalid_target',
    });
  });

  it('client_credentials with client_secret_post, and a wrong secret is invalid_client with 401', async () => {
    const { clientId, clientSecret } = await s.client({ scopes: ['a'], tokenEndpointAuthMethod: 'client_secret_post' });
    const t = await oidc.clientCredentialsGrant(await s.discover(clientId, oidc.ClientSecretPost(clientSecret!)));
    expect(t.access_token.split('.')).toHaveLength(3);
    const wrong = await s.discover(clientId, oidc.ClientSecretPost(clientSecret!.slice(0, -1) + (clientSecret!.endsWith('a') ? 'b' : 'a')));
    // openid-client reports a 401 with its WWW-Authenticate challenge.
    await expect(oidc.clientCredentialsGrant(wrong)).rejects.toMatchObject({ status: 401, cause: [{ scheme: 'basic' }] });
    // A client registered for post may not authenticate with basic.
    const r = await s.form('/oauth/token', { grant_type: 'client_credentials' }, { authorization: s.basic(clientId, clientSecret!) });
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    expect(r.body).toEqual({ error: 'invalid_client', error_description: 'Client authentication failed.' });
  });

  it('client_credentials with private_key_jwt (RFC 7523), a replayed assertion refused', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', use: 'sig', alg: 'ES256' };
    const { clientId, clientSecret } = await s.client({ scopes: ['a'], tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [jwk] } });
    expect(clientSecret).toBeUndefined();
    let assertion = '';
    const config = await s.discover(
      clientId,
      oidc.PrivateKeyJwt({ key: privateKey, kid: 'k1' }, { [oidc.modifyAssertion]: (_h, p) => void (assertion = JSON.stringify(p)) }),
    );
    const t = await oidc.clientCredentialsGrant(config);
    expect(t.access_token).toBeTypeOf('string');
    expect(JSON.parse(assertion).aud).toBeDefined();
    // The same assertion twice: the second is a replay.
    const { SignJWT } = await import('jose');
    const now = Math.floor(Date.now() / 1000);
    const a = await new SignJWT({ iss: clientId, sub: clientId, aud: s.url, jti: 'once-only', exp: now + 60, iat: now })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .sign(privateKey);
    const params = {
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: a,
    };
    expect((await s.form('/oauth/token', params)).status).toBe(200);
    expect((await s.form('/oauth/token', params)).body.error).toBe('invalid_client');
    // Signed by another key: refused.
    const other = await generateKeyPair('ES256');
    const forged = await new SignJWT({ iss: clientId, sub: clientId, aud: s.url, jti: 'x2', exp: now + 60 })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .sign(other.privateKey);
    expect((await s.form('/oauth/token', { ...params, client_assertion: forged })).status).toBe(401);
  });

  it('token exchange: an API key for a down-scoped JWT whose sub is the key owner', async () => {
    const key = await apiKey();
    const { clientId, clientSecret } = await s.client({
      scopes: ['documents:*', 'billing:*'],
      grantTypes: [EXCHANGE],
      audience: ['https://docs.example'],
    });
    const config = await s.discover(clientId, oidc.ClientSecretBasic(clientSecret!));
    const t = await oidc.genericGrantRequest(config, EXCHANGE, {
      subject_token: key.key,
      subject_token_type: API_KEY_TYPE,
      scope: 'documents:read',
    });
    expect(t.issued_token_type).toBe('urn:ietf:params:oauth:token-type:access_token');
    expect(t.refresh_token).toBeUndefined();
    const { payload } = await jwtVerify(t.access_token, jwks(), { issuer: s.url, audience: 'https://docs.example', typ: 'at+jwt' });
    expect(payload).toMatchObject({ sub: 'cust_42', client_id: clientId, scope: 'documents:read' });
    // Beyond the key's scopes, or a revoked key: refused.
    await expect(
      oidc.genericGrantRequest(config, EXCHANGE, { subject_token: key.key, subject_token_type: API_KEY_TYPE, scope: 'billing:write' }),
    ).rejects.toMatchObject({ error: 'invalid_scope' });
    await expect(
      oidc.genericGrantRequest(config, EXCHANGE, { subject_token: key.key, subject_token_type: 'urn:ietf:params:oauth:token-type:jwt' }),
    ).rejects.toMatchObject({ error: 'invalid_request' });
    await s.api('POST', `/v1/keys/${key.keyId}/revoke`, {});
    await expect(
      oidc.genericGrantRequest(config, EXCHANGE, { subject_token: key.key, subject_token_type: API_KEY_TYPE }),
    ).rejects.toMatchObject({ error: 'invalid_request' });
  });

  it('refresh tokens rotate on every use; a reused one revokes the whole family in one go', async () => {
    const key = await apiKey();
    const { clientId, clientSecret } = await s.client({ scopes: ['documents:*'], grantTypes: [EXCHANGE, 'refresh_token'] });
    const config = await s.discover(clientId, oidc.ClientSecretBasic(clientSecret!));
    const first = await oidc.genericGrantRequest(config, EXCHANGE, { subject_token: key.key, subject_token_type: API_KEY_TYPE });
    expect(first.refresh_token).toMatch(/^tessera_rt_/);
    const second = await oidc.refreshTokenGrant(config, first.refresh_token!);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    const third = await oidc.refreshTokenGrant(config, second.refresh_token!);
    expect((await oidc.tokenIntrospection(config, third.refresh_token!)).active).toBe(true);
    // The first one again: reuse. The family is gone, the live token with it.
    await expect(oidc.refreshTokenGrant(config, first.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(oidc.refreshTokenGrant(config, third.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect((await oidc.tokenIntrospection(config, third.refresh_token!)).active).toBe(false);
    const audit = await s.api('GET', '/v1/audit?action=oauth_token_family.revoked');
    expect(audit.body.items[0]).toMatchObject({ actor: `oauth_client:${clientId}`, details: { reason: 'refresh_token_reused', clientId } });
    expect(JSON.stringify(audit.body)).not.toContain(first.refresh_token!);
  });

  it('a refresh grace window lets the immediately previous token be retried, once, within it', async () => {
    const key = await apiKey();
    const { clientId, clientSecret } = await s.client({
      scopes: ['documents:*'],
      grantTypes: [EXCHANGE, 'refresh_token'],
      refreshGraceSeconds: 5,
    });
    const config = await s.discover(clientId, oidc.ClientSecretBasic(clientSecret!));
    const first = await oidc.genericGrantRequest(config, EXCHANGE, { subject_token: key.key, subject_token_type: API_KEY_TYPE });
    const lost = await oidc.refreshTokenGrant(config, first.refresh_token!); // the answer "got lost"
    const retried = await oidc.refreshTokenGrant(config, first.refresh_token!);
    expect(retried.refresh_token).not.toBe(lost.refresh_token);
    // The token the lost answer carried was spent in its place; the retried one lives.
    expect((await oidc.tokenIntrospection(config, lost.refresh_token!)).active).toBe(false);
    s.clock.advance(6000);
    await expect(oidc.refreshTokenGrant(config, first.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(oidc.refreshTokenGrant(config, retried.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('a refresh stops working once the exchanged API key is revoked', async () => {
    const key = await apiKey();
    const { clientId, clientSecret } = await s.client({ scopes: ['documents:*'], grantTypes: [EXCHANGE, 'refresh_token'] });
    const config = await s.discover(clientId, oidc.ClientSecretBasic(clientSecret!));
    const t = await oidc.genericGrantRequest(config, EXCHANGE, { subject_token: key.key, subject_token_type: API_KEY_TYPE });
    await s.api('POST', `/v1/keys/${key.keyId}/revoke`, {});
    await expect(oidc.refreshTokenGrant(config, t.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('introspection (RFC 7662) and revocation (RFC 7009) of JWT, opaque and refresh tokens', async () => {
    const { clientId, clientSecret } = await s.client({ scopes: ['a', 'b'], audience: ['https://api.example'] });
    const config = await s.discover(clientId, oidc.ClientSecretBasic(clientSecret!));
    const t = await oidc.clientCredentialsGrant(config, { scope: 'a' });
    const info = await oidc.tokenIntrospection(config, t.access_token);
    expect(info).toMatchObject({
      active: true,
      scope: 'a',
      client_id: clientId,
      sub: clientId,
      aud: 'https://api.example',
      iss: s.url,
      token_type: 'Bearer',
    });
    await oidc.tokenRevocation(config, t.access_token);
    expect(await oidc.tokenIntrospection(config, t.access_token)).toEqual({ active: false });
    await oidc.tokenRevocation(config, 'not a token at all'); // RFC 7009 §2.2: 200 for invalid tokens
    // Another workspace's client never learns about the token.
    const opaque = await s.client({ scopes: ['a'], accessTokenFormat: 'opaque' });
    const oconfig = await s.discover(opaque.clientId, oidc.ClientSecretBasic(opaque.clientSecret!));
    const ot = await oidc.clientCredentialsGrant(oconfig);
    expect(ot.access_token).toMatch(/^tessera_at_[0-9A-Za-z]{49}$/);
    expect(await oidc.tokenIntrospection(config, ot.access_token)).toMatchObject({ active: true, client_id: opaque.clientId, scope: 'a' });
    // Only the client it was issued to may revoke it.
    await expect(oidc.tokenRevocation(config, ot.access_token)).rejects.toMatchObject({ error: 'invalid_request' });
    await oidc.tokenRevocation(oconfig, ot.access_token);
    expect((await oidc.tokenIntrospection(config, ot.access_token)).active).toBe(false);
    // Unauthenticated introspection: 401.
    const r = await s.form('/oauth/introspect', { token: t.access_token });
    expect(r.status).toBe(401);
    expect(r.body.error).toBe('invalid_client');
  });

  it('DPoP (RFC 9449): a bound token with cnf.jkt and token_type DPoP; nonce on request', async () => {
    const { clientId, clientSecret } = await s.client({ scopes: ['a'], dpopBound: true });
    const config = await s.discover(clientId, oidc.ClientSecretBasic(clientSecret!));
    const keyPair = await oidc.randomDPoPKeyPair('ES256');
    const DPoP = oidc.getDPoPHandle(config, keyPair);
    const t = await oidc.clientCredentialsGrant(config, {}, { DPoP });
    expect(t.token_type).toBe('dpop');
    const { payload } = await jwtVerify(t.access_token, jwks(), { issuer: s.url, typ: 'at+jwt' });
    const { calculateJwkThumbprint } = await import('jose');
    expect((payload.cnf as { jkt: string }).jkt).toBe(await calculateJwkThumbprint(await exportJWK(keyPair.publicKey)));
    expect(await oidc.tokenIntrospection(config, t.access_token)).toMatchObject({
      active: true,
      token_type: 'DPoP',
      cnf: { jkt: (payload.cnf as { jkt: string }).jkt },
    });
    // The client must send a proof.
    await expect(oidc.clientCredentialsGrant(config)).rejects.toMatchObject({ error: 'invalid_dpop_proof' });
    // With a server nonce required, openid-client retries with the nonce it was given.
    const n = await s.client({ scopes: ['a'], dpopNonce: true });
    const nconfig = await s.discover(n.clientId, oidc.ClientSecretBasic(n.clientSecret!));
    const nt = await oidc.clientCredentialsGrant(nconfig, {}, { DPoP: oidc.getDPoPHandle(nconfig, await oidc.randomDPoPKeyPair('EdDSA')) });
    expect(nt.token_type).toBe('dpop');
  });

  it('signs with ES256, RS256 and ML-DSA-65 per client; jose verifies the first two, introspection all', async () => {
    for (const alg of ['ES256', 'RS256'] as const) {
      const c = await s.client({ scopes: ['a'], signingAlg: alg });
      const config = await s.discover(c.clientId, oidc.ClientSecretBasic(c.clientSecret!));
      const t = await oidc.clientCredentialsGrant(config);
      const { protectedHeader } = await jwtVerify(t.access_token, jwks(), { issuer: s.url, typ: 'at+jwt', algorithms: [alg] });
      expect(protectedHeader.alg).toBe(alg);
    }
    const pq = await s.client({ scopes: ['a'], signingAlg: 'ML-DSA-65' });
    const config = await s.discover(pq.clientId, oidc.ClientSecretBasic(pq.clientSecret!));
    const t = await oidc.clientCredentialsGrant(config);
    const [h, , sig] = t.access_token.split('.');
    expect(JSON.parse(Buffer.from(h!, 'base64url').toString())).toMatchObject({ alg: 'ML-DSA-65', typ: 'at+jwt' });
    expect(Buffer.from(sig!, 'base64url')).toHaveLength(3309);
    expect((await oidc.tokenIntrospection(config, t.access_token)).active).toBe(true);
    const published = (await (await fetch(`${s.url}/oauth/jwks`)).json()) as { keys: Record<string, unknown>[] };
    const akp = published.keys.find((k) => k.alg === 'ML-DSA-65')!;
    expect(akp).toMatchObject({ kty: 'AKP', use: 'sig' });
    const { ml_dsa65 } = await import('@noble/post-quantum/ml-dsa.js');
    const input = t.access_token.slice(0, t.access_token.lastIndexOf('.'));
    expect(ml_dsa65.verify(Buffer.from(sig!, 'base64url'), Buffer.from(input), Buffer.from(akp.pub as string, 'base64url'))).toBe(true);
    for (const k of published.keys)
      expect(Object.keys(k).filter((m) => ['d', 'p', 'q', 'dp', 'dq', 'qi', 'priv', 'seed'].includes(m))).toEqual([]);
  });

  it('answers what the authorization server says, every member (the answer schemas drop none)', async () => {
    // Keys of every algorithm are published by now (the test above made clients of each).
    const jwksAnswer = await fetch(`${s.url}/oauth/jwks`);
    expect(jwksAnswer.headers.get('content-type')).toMatch(/^application\/jwk-set\+json/);
    const published = (await jwksAnswer.json()) as { keys: { alg: string }[] };
    expect(published).toEqual(await s.services.oauth.keys.jwks());
    expect(new Set(published.keys.map((k) => k.alg))).toEqual(new Set(['EdDSA', 'ES256', 'RS256', 'ML-DSA-65']));
    const metadata = await (await fetch(`${s.url}/.well-known/oauth-authorization-server`)).json();
    expect(metadata).toEqual(s.services.oauth.server.metadata(s.url));
  });
});
