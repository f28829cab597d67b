import { createRemoteJWKSet, jwtVerify } from 'jose';
import { loadConfig } from '@tessera/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOAuthServices } from '../../apps/server/src/wiring/oauth-services.js';
import { DIALECTS } from '../support/databases.js';
import { startOAuthServer, type OAuthTestServer } from './support.js';

const DAY = 86_400_000;

type KeyView = { kid: string; alg: string; state: string; activatesAt: string; retiresAt: string; expiresAt: string };

describe.each(DIALECTS)('OAuth signing keys: rotation period and emergency retirement (%s)', (dialect) => {
  let s: OAuthTestServer;
  beforeAll(async () => {
    s = await startOAuthServer(dialect, { TESSERA_OAUTH_SIGNING_KEY_ROTATION_DAYS: '7' });
  });
  afterAll(() => s.close());

  const eddsa = async (): Promise<KeyView[]> =>
    (await s.api('GET', '/v1/oauth/signing-keys')).body.items.filter((k: KeyView) => k.alg === 'EdDSA');
  const published = async () => ((await (await fetch(`${s.url}/oauth/jwks`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
  const kidOf = (t: string) => JSON.parse(Buffer.from(t.split('.')[0]!, 'base64url').toString()).kid as string;
  const token = async (id: string, secret: string) =>
    (await s.form('/oauth/token', { grant_type: 'client_credentials' }, { authorization: s.basic(id, secret) })).body
      .access_token as string;
  const introspect = async (id: string, secret: string, t: string) =>
    (await s.form('/oauth/introspect', { token: t }, { authorization: s.basic(id, secret) })).body;

  it('rotates on the configured period, within bounds', async () => {
    for (const k of await eddsa()) expect(Date.parse(k.retiresAt) - Date.parse(k.activatesAt)).toBe(7 * DAY);
    expect(loadConfig({ TESSERA_DATA_DIR: '/nonexistent' }).oauthSigningKeyRotationDays).toBe(30);
    for (const bad of ['0', '366', '1.5', 'monthly'])
      expect(() => loadConfig({ TESSERA_DATA_DIR: '/nonexistent', TESSERA_OAUTH_SIGNING_KEY_ROTATION_DAYS: bad })).toThrow(
        'TESSERA_OAUTH_SIGNING_KEY_ROTATION_DAYS must be an integer from 1 to 365',
      );
  });

  it('retires the current key at once: out of the JWKS (jose), inactive, refused; the next key signs', async () => {
    const { clientId, clientSecret } = await s.client({ scopes: ['a'] });
    // A second node on the same store and bus, which has read the keys already.
    const other = createOAuthServices({
      store: s.services.oauth.store,
      keyring: s.services.keyring,
      clock: s.clock,
      verifier: s.services.verifier,
      bus: s.services.bus,
    });
    // …and one that hears no bus: it keeps its keys until its next read (30 seconds).
    const deaf = createOAuthServices({
      store: s.services.oauth.store,
      keyring: s.services.keyring,
      clock: s.clock,
      verifier: s.services.verifier,
    });
    try {
      const before = await eddsa();
      const current = before.find((k) => k.state === 'current')!;
      const next = before.find((k) => k.state === 'next')!;
      const old = await token(clientId, clientSecret!);
      expect(kidOf(old)).toBe(current.kid);
      const jwks = createRemoteJWKSet(new URL(`${s.url}/oauth/jwks`));
      await jwtVerify(old, jwks);
      expect((await other.keys.jwks()).keys.map((k) => k.kid)).toContain(current.kid);
      expect((await deaf.keys.jwks()).keys.map((k) => k.kid)).toContain(current.kid);
      expect(await introspect(clientId, clientSecret!, old)).toMatchObject({ active: true });

      const r = await s.api('POST', `/v1/oauth/signing-keys/${current.kid}/retire`, { reason: 'key exposed in a backup' });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ kid: current.kid, state: 'current', successor: next.kid });

      // Gone from the JWKS: a verifier that reads it again no longer finds the kid.
      expect(await published()).not.toContain(current.kid);
      await jwks.reload();
      await expect(jwtVerify(old, jwks)).rejects.toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' });
      await expect(jwtVerify(old, createRemoteJWKSet(new URL(`${s.url}/oauth/jwks`)))).rejects.toMatchObject({
        code: 'ERR_JWKS_NO_MATCHING_KEY',
      });
      // Tessera's own checks: introspection, and the verifier forward auth uses, on both nodes.
      expect(await introspect(clientId, clientSecret!, old)).toEqual({ active: false });
      expect(await s.services.oauth.server.verifyAccessToken(old, s.url)).toBeUndefined();
      expect(await other.server.verifyAccessToken(old, s.url)).toBeUndefined();
      expect((await other.keys.jwks()).keys.map((k) => k.kid)).not.toContain(current.kid);
      expect((await deaf.keys.jwks()).keys.map((k) => k.kid)).toContain(current.kid); // the bus is what told `other`

      // The key that was published next signs from now on (verifiers already had it); a new next is published.
      const fresh = await token(clientId, clientSecret!);
      expect(kidOf(fresh)).toBe(next.kid);
      await jwtVerify(fresh, jwks);
      expect(await introspect(clientId, clientSecret!, fresh)).toMatchObject({ active: true });
      const after = await eddsa();
      expect(after.find((k) => k.state === 'current')?.kid).toBe(next.kid);
      const newNext = after.find((k) => k.state === 'next')!;
      expect([current.kid, next.kid]).not.toContain(newNext.kid);
      expect(Date.parse(newNext.activatesAt)).toBe(Date.parse(after.find((k) => k.state === 'current')!.retiresAt));
      expect(after.map((k) => k.kid)).not.toContain(current.kid);

      const [entry] = await s.services.store.listAudit({ limit: 1, action: 'oauth_signing_key.retired' });
      expect(entry).toMatchObject({
        target: current.kid,
        details: { alg: 'EdDSA', state: 'current', successor: next.kid, reason: 'key exposed in a backup' },
      });
      expect(entry!.actor).not.toBe('system');
    } finally {
      await other.stop();
      await deaf.stop();
    }
  });

  it('retires a next or previous key without touching the signing one; an unknown kid is NOT_FOUND', async () => {
    const before = await eddsa();
    const current = before.find((k) => k.state === 'current')!;
    const next = before.find((k) => k.state === 'next')!;
    const r = await s.api('POST', `/v1/oauth/signing-keys/${next.kid}/retire`, {});
    expect(r.body).toEqual({ kid: next.kid, state: 'next', successor: null });
    const after = await eddsa();
    expect(after.find((k) => k.state === 'current')?.kid).toBe(current.kid);
    const replacement = after.find((k) => k.state === 'next')!;
    expect(replacement.kid).not.toBe(next.kid);
    expect(await published()).not.toContain(next.kid);
    // The current key becomes previous a period later; retiring it then leaves the signing key alone.
    s.clock.set(Date.parse(current.retiresAt) + 1000);
    await s.services.oauth.maintain();
    expect((await eddsa()).find((k) => k.kid === current.kid)?.state).toBe('previous');
    const p = await s.api('POST', `/v1/oauth/signing-keys/${current.kid}/retire`, {});
    expect(p.body).toEqual({ kid: current.kid, state: 'previous', successor: null });
    expect((await eddsa()).find((k) => k.state === 'current')?.kid).toBe(replacement.kid);
    const gone = await s.api('POST', `/v1/oauth/signing-keys/${current.kid}/retire`, {});
    expect(gone.status).toBe(404);
    expect(gone.body.code).toBe('NOT_FOUND');
    expect((await s.api('POST', '/v1/oauth/signing-keys/not%20a%20kid/retire', {})).status).toBe(400);
  });

  it('is the installation’s to do: a root key acting in another workspace is refused, and the keys stay as they were', async () => {
    const made = await s.api('POST', '/v1/workspaces', { name: 'tenant', rootKey: { name: 'tenant admin', permissions: ['*'] } });
    expect(made.status).toBe(201);
    const tenantKey = made.body.rootKey.key as string;
    const before = await eddsa();
    const current = before.find((k) => k.state === 'current')!;
    // The tenant's key holds oauth:manage in its own workspace, and may read the installation's keys…
    expect((await s.api('GET', '/v1/oauth/signing-keys', undefined, tenantKey)).status).toBe(200);
    // …but not retire one: every workspace's tokens are signed with it.
    const refused = await s.api('POST', `/v1/oauth/signing-keys/${current.kid}/retire`, { reason: 'not mine' }, tenantKey);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('FORBIDDEN');
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(await eddsa()).toEqual(before);
    expect(await published()).toContain(current.kid);
    // The first root key, whose workspace is the installation's own, names the tenant's workspace: refused too.
    const named = await s.api('POST', `/v1/oauth/signing-keys/${current.kid}/retire`, {}, undefined, {
      'tessera-workspace': made.body.workspace.id,
    });
    expect(named.status).toBe(403);
    expect(await eddsa()).toEqual(before);
  });

  it('with no next key to take over, makes a fresh one first: an algorithm is never left without a signing key', async () => {
    const { clientId, clientSecret } = await s.client({ scopes: ['a'], signingAlg: 'ES256' });
    const es = async (): Promise<KeyView[]> =>
      (await s.api('GET', '/v1/oauth/signing-keys')).body.items.filter((k: KeyView) => k.alg === 'ES256');
    const before = await es();
    const current = before.find((k) => k.state === 'current')!;
    const next = before.find((k) => k.state === 'next')!;
    // Take the next key out of the store's list, as if it had never been made.
    const now = s.clock.now();
    expect(await s.services.oauth.store.rescheduleSigningKey(next.kid, { activatesAt: now, retiresAt: now, expiresAt: now })).toBe(true);
    await s.services.oauth.keys.reload(true);
    expect((await es()).map((k) => k.state)).toEqual(['current']);
    const r = await s.api('POST', `/v1/oauth/signing-keys/${current.kid}/retire`, {});
    expect(r.body).toMatchObject({ kid: current.kid, state: 'current' });
    const fresh = r.body.successor as string;
    expect([current.kid, next.kid, null]).not.toContain(fresh);
    const after = await es();
    expect(after.find((k) => k.state === 'current')?.kid).toBe(fresh);
    expect(after.filter((k) => k.state === 'next')).toHaveLength(1);
    expect(await published()).toContain(fresh);
    expect(kidOf(await token(clientId, clientSecret!))).toBe(fresh);
    const created = await s.services.store.listAudit({ limit: 5, action: 'oauth_signing_key.created' });
    expect(created.map((e) => e.target)).toContain(fresh);
  });
});
