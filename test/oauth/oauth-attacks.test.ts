import { createHmac } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { startOAuthServer, type OAuthTestServer } from './support.js';

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const parts = (t: string) => t.split('.') as [string, string, string];
const json = (s: string) => JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));

describe.each(DIALECTS)('attacks on the authorization server, each refused (%s)', (dialect) => {
  let s: OAuthTestServer;
  let auth: string;
  let clientId: string;
  beforeAll(async () => {
    s = await startOAuthServer(dialect);
    const c = await s.client({ scopes: ['read', 'admin'], audience: ['https://api.example'] });
    clientId = c.clientId;
    auth = s.basic(c.clientId, c.clientSecret!);
  });
  afterAll(() => s.close());
  beforeEach(() => s.clock.set(Math.max(s.clock.now(), Date.now())));

  const token = async (params: Record<string, string> = {}, headers: Record<string, string> = {}, a = auth) => {
    const r = await s.form(
      '/oauth/token',
      { grant_type: 'client_credentials', scope: 'read', ...params },
      { authorization: a, ...headers },
    );
    return r;
  };
  const issue = async () => (await token()).body.access_token as string;
  const active = async (t: string) => (await s.form('/oauth/introspect', { token: t }, { authorization: auth })).body.active as boolean;
  const attacker = async () => {
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true });
    return { privateKey, jwk: await exportJWK(publicKey) };
  };
  const forge = async (key: CryptoKey, header: Record<string, unknown>, claims: Record<string, unknown>) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', ...header } as never).sign(key);

  it('the genuine token is active, so every refusal below is the attack’s doing', async () => {
    expect(await active(await issue())).toBe(true);
  });

  it('alg none, in any spelling', async () => {
    const [h, p] = parts(await issue());
    for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
      expect(await active(`${b64({ ...json(h), alg })}.${p}.`)).toBe(false);
    }
  });

  it('HS256 signed with the public key (EdDSA and RS256 keys as HMAC secrets)', async () => {
    const rsa = await s.client({ scopes: ['read'], signingAlg: 'RS256' });
    const rsaToken = (
      await token({}, { authorization: s.basic(rsa.clientId, rsa.clientSecret!) }, s.basic(rsa.clientId, rsa.clientSecret!))
    ).body.access_token as string;
    const { keys } = (await (await fetch(`${s.url}/oauth/jwks`)).json()) as { keys: Record<string, string>[] };
    for (const t of [await issue(), rsaToken]) {
      const [h, p] = parts(t);
      const kid = json(h).kid as string;
      const jwk = keys.find((k) => k.kid === kid)!;
      const { createPublicKey } = await import('node:crypto');
      const secrets = [
        JSON.stringify(jwk),
        Buffer.from(jwk.x ?? jwk.n!, 'base64url'),
        createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }),
      ];
      for (const secret of secrets) {
        const input = `${b64({ alg: 'HS256', typ: 'at+jwt', kid })}.${p}`;
        expect(await active(`${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`)).toBe(false);
      }
    }
  });

  it('a valid token with an altered payload', async () => {
    const [h, p, sig] = parts(await issue());
    expect(await active(`${h}.${b64({ ...json(p), scope: 'read admin' })}.${sig}`)).toBe(false);
    expect(await active(`${h}.${b64({ ...json(p), sub: 'someone-else' })}.${sig}`)).toBe(false);
  });

  it('an unknown kid, a real kid on a forged signature, and kid path traversal or injection', async () => {
    const [h, p] = parts(await issue());
    const { privateKey } = await attacker();
    const claims = json(p);
    for (const kid of [
      'nope',
      json(h).kid,
      '../../../../../dev/null',
      '/etc/passwd',
      "x' OR '1'='1",
      'https://evil.example/jwks.json',
      '',
      'a'.repeat(5000),
    ]) {
      expect(await active(await forge(privateKey, { kid }, claims))).toBe(false);
    }
  });

  it('jku, x5u and jwk headers pointing at the attacker’s key', async () => {
    const [h, p] = parts(await issue());
    const { privateKey, jwk } = await attacker();
    const kid = json(h).kid as string;
    for (const extra of [
      { jwk },
      { jku: 'https://evil.example/jwks' },
      { x5u: 'https://evil.example/cert.pem' },
      { jwk, kid: await calculateJwkThumbprint(jwk) },
    ]) {
      expect(await active(await forge(privateKey, { kid, ...extra }, json(p)))).toBe(false);
    }
  });

  it('expired, not yet valid, wrong iss and wrong aud — each signed with the real current key', async () => {
    const now = Math.floor(s.clock.now() / 1000);
    const base = {
      iss: s.url,
      sub: clientId,
      aud: 'https://api.example',
      client_id: clientId,
      scope: 'read',
      iat: now,
      exp: now + 300,
      jti: `t-${now}`,
    };
    const sign = (c: Record<string, unknown>) => s.services.oauth.keys.signJwt('EdDSA', 'at+jwt', c);
    expect(await active(await sign(base))).toBe(true);
    expect(await active(await sign({ ...base, jti: 'exp', iat: now - 600, exp: now - 1 }))).toBe(false);
    expect(await active(await sign({ ...base, jti: 'nbf', nbf: now + 3600 }))).toBe(false);
    expect(await active(await sign({ ...base, jti: 'iat', iat: now + 3600 }))).toBe(false);
    expect(await active(await sign({ ...base, jti: 'iss', iss: 'https://evil.example' }))).toBe(false);
    expect(await active(await s.services.oauth.keys.signJwt('EdDSA', 'JWT', { ...base, jti: 'typ' }))).toBe(false);
    const server = s.services.oauth.server;
    expect(await server.verifyAccessToken(await sign(base), s.url, 'https://api.example')).toBeDefined();
    expect(await server.verifyAccessToken(await sign(base), s.url, 'https://other.example')).toBeUndefined();
    // A token that was fine goes inactive when its time is up.
    const t = await issue();
    s.clock.advance(301_000);
    expect(await active(t)).toBe(false);
  });

  it('ECDSA signatures with r = s = 0 (CVE-2022-21449) and r = s = n', async () => {
    const es = await s.client({ scopes: ['read'], signingAlg: 'ES256' });
    const a = s.basic(es.clientId, es.clientSecret!);
    const t = (await token({}, {}, a)).body.access_token as string;
    const [h, p] = parts(t);
    expect(await active(t)).toBe(true);
    const n = Buffer.from('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551', 'hex');
    for (const sig of [Buffer.alloc(64), Buffer.concat([n, n]), Buffer.alloc(0), Buffer.alloc(72)]) {
      expect(await active(`${h}.${p}.${sig.toString('base64url')}`)).toBe(false);
    }
  });

  it('revocation keys on jti: flipping unused bits of the signature does not bring a revoked token back', async () => {
    const t = await issue();
    const [h, p, sig] = parts(t);
    // 64 signature bytes take 86 base64url characters: the last one carries 4 unused bits.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(sig.at(-1)!);
    const variant = `${h}.${p}.${sig.slice(0, -1)}${alphabet[last ^ 0b0001]}`;
    expect(Buffer.from(variant.split('.')[2]!, 'base64url').equals(Buffer.from(sig, 'base64url'))).toBe(true);
    expect(await active(variant)).toBe(false); // non-canonical base64url is refused outright
    await s.form('/oauth/revoke', { token: t }, { authorization: auth });
    expect(await active(t)).toBe(false);
    expect(await active(variant)).toBe(false);
    // The revocation holds however the token is re-encoded: the jti is what is remembered.
    expect(await s.services.oauth.store.isJtiRevoked(json(p).jti, s.clock.now())).toBe(true);
  });

  it('a token or key in the URL query string', async () => {
    const t = await issue();
    for (const path of [`/oauth/introspect?token=${t}`, `/oauth/token?access_token=${t}`, `/oauth/revoke?refresh_token=x`]) {
      const r = await s.form(path, { token: t }, { authorization: auth });
      expect(r.status).toBe(400);
      expect(r.body.error).toBe('invalid_request');
    }
  });

  it('refresh token replay, including two uses racing each other', async () => {
    const ks = (await s.api('POST', '/v1/keyspaces', { name: 'k', prefix: `sk_${dialect}` })).body.id;
    const key = (await s.api('POST', '/v1/keys', { keyspaceId: ks, ownerId: 'o', scopes: ['read'] })).body.key;
    const c = await s.client({ scopes: ['read'], grantTypes: ['urn:ietf:params:oauth:grant-type:token-exchange', 'refresh_token'] });
    const a = s.basic(c.clientId, c.clientSecret!);
    const ex = await s.form(
      '/oauth/token',
      {
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        subject_token: key,
        subject_token_type: 'urn:tessera:token-type:api-key',
      },
      { authorization: a },
    );
    const rt = ex.body.refresh_token as string;
    const race = await Promise.all(
      [0, 1, 2].map(() => s.form('/oauth/token', { grant_type: 'refresh_token', refresh_token: rt }, { authorization: a })),
    );
    const ok = race.filter((r) => r.status === 200);
    expect(ok.length).toBeLessThanOrEqual(1);
    expect(race.filter((r) => r.status === 400).every((r) => r.body.error === 'invalid_grant')).toBe(true);
    // Whoever won, the family is revoked now: the token they got is dead too.
    if (ok[0] !== undefined) {
      const again = await s.form(
        '/oauth/token',
        { grant_type: 'refresh_token', refresh_token: ok[0].body.refresh_token },
        { authorization: a },
      );
      expect(again.body.error).toBe('invalid_grant');
    }
    // A refresh token presented by another client: invalid_grant.
    const ex2 = await s.form(
      '/oauth/token',
      {
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        subject_token: key,
        subject_token_type: 'urn:tessera:token-type:api-key',
      },
      { authorization: a },
    );
    const other = await s.client({ scopes: ['read'], grantTypes: ['refresh_token'] });
    const stolen = await s.form(
      '/oauth/token',
      { grant_type: 'refresh_token', refresh_token: ex2.body.refresh_token },
      { authorization: s.basic(other.clientId, other.clientSecret!) },
    );
    expect(stolen.body.error).toBe('invalid_grant');
  });

  describe('DPoP proofs', () => {
    const proof = async (
      o: {
        key?: { privateKey: CryptoKey; jwk: Record<string, unknown> };
        htm?: string;
        htu?: string;
        iat?: number;
        jti?: string;
        typ?: string;
        header?: Record<string, unknown>;
      } = {},
    ) => {
      const k = o.key ?? (await attacker());
      return new SignJWT({
        htm: o.htm ?? 'POST',
        htu: o.htu ?? `${s.url}/oauth/token`,
        iat: o.iat ?? Math.floor(s.clock.now() / 1000),
        jti: o.jti ?? crypto.randomUUID(),
      })
        .setProtectedHeader({ alg: 'EdDSA', typ: o.typ ?? 'dpop+jwt', jwk: k.jwk, ...o.header } as never)
        .sign(k.privateKey);
    };
    const withProof = async (p: string) => token({}, { dpop: p });

    it('a good proof binds the token; the same proof again is a replay', async () => {
      const p = await proof();
      const first = await withProof(p);
      expect(first.status).toBe(200);
      expect(first.body.token_type).toBe('DPoP');
      const again = await withProof(p);
      expect(again.status).toBe(400);
      expect(again.body.error).toBe('invalid_dpop_proof');
    });

    it('wrong htm, wrong htu, stale or future iat, wrong typ, none of them accepted', async () => {
      const bad = [
        await proof({ htm: 'GET' }),
        await proof({ htu: `${s.url}/oauth/introspect` }),
        await proof({ htu: 'https://evil.example/oauth/token' }),
        await proof({ iat: Math.floor(s.clock.now() / 1000) - 600 }),
        await proof({ iat: Math.floor(s.clock.now() / 1000) + 600 }),
        await proof({ typ: 'JWT' }),
        await proof({ jti: '' }),
      ];
      for (const p of bad) {
        const r = await withProof(p);
        expect(r.status, p).toBe(400);
        expect(r.body.error).toBe('invalid_dpop_proof');
      }
    });

    it('a proof whose jwk is not the signing key, a private jwk, alg none, two DPoP headers', async () => {
      const a = await attacker();
      const b = await attacker();
      const mismatch = await proof({ key: { privateKey: a.privateKey, jwk: b.jwk } });
      const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true });
      const priv = await proof({ key: { privateKey, jwk: await exportJWK(privateKey) } });
      void publicKey;
      const [h, p] = parts(await proof());
      const none = `${b64({ ...json(h), alg: 'none' })}.${p}.`;
      for (const x of [mismatch, priv, none]) expect((await withProof(x)).body.error).toBe('invalid_dpop_proof');
      const two = await fetch(`${s.url}/oauth/token`, {
        method: 'POST',
        headers: [
          ['content-type', 'application/x-www-form-urlencoded'],
          ['authorization', auth],
          ['dpop', await proof()],
          ['dpop', await proof()],
        ],
        body: 'grant_type=client_credentials',
      });
      expect(two.status).toBe(400);
      expect(((await two.json()) as { error: string }).error).toBe('invalid_dpop_proof');
    });

    it('a nonce-requiring client gets use_dpop_nonce and a DPoP-Nonce header, then succeeds with it', async () => {
      const c = await s.client({ scopes: ['read'], dpopNonce: true });
      const a = s.basic(c.clientId, c.clientSecret!);
      const k = await attacker();
      const first = await token({}, { dpop: await proof({ key: k }) }, a);
      expect(first.body.error).toBe('use_dpop_nonce');
      const nonce = first.headers.get('dpop-nonce')!;
      expect(nonce).toBeTruthy();
      const withNonce = await new SignJWT({
        htm: 'POST',
        htu: `${s.url}/oauth/token`,
        iat: Math.floor(s.clock.now() / 1000),
        jti: crypto.randomUUID(),
        nonce,
      })
        .setProtectedHeader({ alg: 'EdDSA', typ: 'dpop+jwt', jwk: k.jwk })
        .sign(k.privateKey);
      expect((await token({}, { dpop: withNonce }, a)).body.token_type).toBe('DPoP');
    });
  });

  describe('bad form bodies: a clean RFC 6749 error, never a 5xx', () => {
    const raw = async (body: string, type = 'application/x-www-form-urlencoded') =>
      fetch(`${s.url}/oauth/token`, { method: 'POST', headers: { 'content-type': type, authorization: auth }, body }).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as { error: string },
      }));

    it.each([
      ['JSON instead of a form', '{"grant_type":"client_credentials"}', 'application/json'],
      ['plain text', 'grant_type=client_credentials', 'text/plain'],
      ['a duplicate grant_type', 'grant_type=client_credentials&grant_type=client_credentials', undefined],
      ['a duplicate scope', 'grant_type=client_credentials&scope=read&scope=admin', undefined],
      ['a huge body', `grant_type=client_credentials&scope=${'a'.repeat(100_000)}`, undefined],
      ['a huge value', `grant_type=client_credentials&scope=${'a'.repeat(20_000)}`, undefined],
      ['broken percent-encoding', 'grant_type=client_credentials&scope=%zz%', undefined],
      ['no grant_type', 'scope=read', undefined],
      ['many parameters', Array.from({ length: 100 }, (_, i) => `p${i}=1`).join('&'), undefined],
      ['a NUL byte', 'grant_type=client_credentials%00&scope=read', undefined],
    ])('%s', async (_name, body, type) => {
      const r = await raw(body, type);
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
      expect(['invalid_request', 'invalid_scope', 'unsupported_grant_type']).toContain(r.body.error);
    });

    it('an unknown grant type is unsupported_grant_type; one the client may not use is unauthorized_client', async () => {
      expect((await raw('grant_type=password&username=a&password=b')).body.error).toBe('unsupported_grant_type');
      expect((await raw('grant_type=refresh_token&refresh_token=x')).body.error).toBe('unauthorized_client');
    });
  });
});
