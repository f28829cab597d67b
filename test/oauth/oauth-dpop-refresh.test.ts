import { calculateJwkThumbprint, decodeJwt, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { BrowserJar } from './browser-jar.js';
import { startOAuthServer, type OAuthTestServer } from './support.js';

const PASSWORD = 'correct horse battery staple';
const REDIRECT = 'http://127.0.0.1/callback';

interface Key {
  pair: CryptoKeyPair;
  jwk: JWK;
  jkt: string;
}

async function newKey(): Promise<Key> {
  const pair = (await generateKeyPair('ES256', { extractable: true })) as CryptoKeyPair;
  const jwk = await exportJWK(pair.publicKey);
  return { pair, jwk, jkt: await calculateJwkThumbprint(jwk) };
}

/**
 * DPoP-bound refresh tokens for public clients (RFC 9449 §5, RFC 9700 §4.14.2): a grant a public
 * client obtained with a DPoP proof is bound to the proof's key, and only that key refreshes it.
 * openid-client is the client; jose makes the proofs of the attacker.
 */
describe.each(DIALECTS)('DPoP-bound refresh tokens of public clients (%s)', (dialect) => {
  let s: OAuthTestServer;
  let publicId: string;
  let web: { clientId: string; clientSecret?: string };
  const jar = new BrowserJar();
  beforeAll(async () => {
    s = await startOAuthServer(dialect);
    expect((await s.api('POST', '/v1/users', { email: 'ada@example.com', password: PASSWORD, emailVerified: true })).status).toBe(201);
    publicId = (
      await s.client({
        name: 'Notes SPA',
        grantTypes: ['authorization_code', 'refresh_token'],
        redirectUris: [REDIRECT],
        tokenEndpointAuthMethod: 'none',
      })
    ).clientId;
    web = await s.client({ name: 'Notes server', grantTypes: ['authorization_code', 'refresh_token'], redirectUris: [REDIRECT] });
  });
  afterAll(() => s.close());
  // openid-client dates its proofs by the wall clock: the server's clock keeps up with it.
  beforeEach(() => s.clock.set(Math.max(s.clock.now(), Date.now())));

  /** Signs in (once) and consents; returns the callback URL with the code, and the PKCE verifier. */
  async function code(clientId: string): Promise<{ callback: URL; verifier: string }> {
    const verifier = oidc.randomPKCECodeVerifier();
    const params = new URLSearchParams({
      client_id: clientId,
      response_type: 'code',
      redirect_uri: REDIRECT,
      scope: 'openid offline_access',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    let page = await jar.get(`${s.url}/oauth/authorize?${params}`);
    if (page.status === 200 && page.has('button', 'Sign in'))
      page = await jar.submit(page, s.url, { email: 'ada@example.com', password: PASSWORD });
    if (page.status === 200 && page.has('button', 'Allow')) page = await jar.submit(page, s.url, { decision: 'allow' });
    expect(page.status).toBe(303);
    return { callback: new URL(page.location!), verifier };
  }

  /** A DPoP proof for the token endpoint, as jose makes it. */
  const proof = (k: Key, claims: Record<string, unknown> = {}) =>
    new SignJWT({ htm: 'POST', htu: `${s.url}/oauth/token`, jti: crypto.randomUUID(), iat: Math.floor(s.clock.now() / 1000), ...claims })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: k.jwk })
      .sign(k.pair.privateKey as CryptoKey);

  const refresh = (token: string, clientId: string, headers: Record<string, string> = {}) =>
    s.form('/oauth/token', { grant_type: 'refresh_token', refresh_token: token, client_id: clientId }, headers);

  it('binds a public client’s grant to the DPoP key it proved, and refreshes only with that key', async () => {
    const key = await newKey();
    const config = await s.discover(publicId, oidc.None());
    const dpop = oidc.getDPoPHandle(config, key.pair);
    const { callback, verifier } = await code(publicId);
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier }, undefined, { DPoP: dpop });
    expect(tokens.token_type).toBe('dpop');
    expect(tokens.refresh_token).toMatch(/^tessera_rt_/);
    expect(decodeJwt(tokens.access_token).cnf).toEqual({ jkt: key.jkt });

    // Without a proof, and with another key's: refused as invalid_grant, and nothing is spent.
    const bare = await refresh(tokens.refresh_token!, publicId);
    expect(bare.status).toBe(400);
    expect(bare.body).toMatchObject({ error: 'invalid_grant', error_description: expect.stringMatching(/bound to a DPoP key/) });
    const thief = await newKey();
    const stolen = await refresh(tokens.refresh_token!, publicId, { dpop: await proof(thief) });
    expect(stolen.status).toBe(400);
    expect(stolen.body).toMatchObject({ error: 'invalid_grant', error_description: expect.stringMatching(/another DPoP key/) });
    // A proof that is not valid is invalid_dpop_proof, before the grant is looked at.
    const wrongTarget = await refresh(tokens.refresh_token!, publicId, { dpop: await proof(key, { htu: `${s.url}/oauth/revoke` }) });
    expect(wrongTarget.body).toMatchObject({ error: 'invalid_dpop_proof' });

    // The key's holder refreshes: rotated, still bound, the next access token bound to the same key.
    const second = await oidc.refreshTokenGrant(config, tokens.refresh_token!, undefined, { DPoP: dpop });
    expect(second.token_type).toBe('dpop');
    expect(second.refresh_token).not.toBe(tokens.refresh_token);
    expect(decodeJwt(second.access_token).cnf).toEqual({ jkt: key.jkt });
    const third = await refresh(second.refresh_token!, publicId, { dpop: await proof(key) });
    expect(third.status).toBe(200);
    expect(third.body.token_type).toBe('DPoP');

    // Reuse detection still holds for the key's holder: a spent token ends the grant.
    const reused = await refresh(second.refresh_token!, publicId, { dpop: await proof(key) });
    expect(reused.body).toMatchObject({ error: 'invalid_grant', error_description: expect.stringMatching(/already used/) });
    expect((await refresh(third.body.refresh_token, publicId, { dpop: await proof(key) })).body).toMatchObject({ error: 'invalid_grant' });
  });

  it('leaves a grant made without a proof unbound, and a confidential client’s grant bound to its authentication only', async () => {
    const config = await s.discover(publicId, oidc.None());
    const { callback, verifier } = await code(publicId);
    const plain = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier });
    expect(plain.token_type).toBe('bearer');
    // A proof later binds that access token, not the grant: the next refresh needs none.
    const withProof = await refresh(plain.refresh_token!, publicId, { dpop: await proof(await newKey()) });
    expect(withProof.body.token_type).toBe('DPoP');
    expect((await refresh(withProof.body.refresh_token, publicId)).status).toBe(200);

    const webConfig = await s.discover(web.clientId, oidc.ClientSecretBasic(web.clientSecret!));
    const key = await newKey();
    const w = await code(web.clientId);
    const webTokens = await oidc.authorizationCodeGrant(webConfig, w.callback, { pkceCodeVerifier: w.verifier }, undefined, {
      DPoP: oidc.getDPoPHandle(webConfig, key.pair),
    });
    expect(webTokens.token_type).toBe('dpop');
    const again = await oidc.refreshTokenGrant(webConfig, webTokens.refresh_token!);
    expect(again.token_type).toBe('bearer');
  });
});
