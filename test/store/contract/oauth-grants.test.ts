import type { OAuthStore } from '@tessera/core';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../support/databases.js';
import { client, family, id, opaqueToken, refreshToken, rows, T0 } from './oauth-fixtures.js';

/**
 * The OAuth port's grants and tokens: refresh families and rotation, opaque tokens, revoked ids,
 * one-time values and purging, the same on every backend, concurrency included.
 */
describe.each(DIALECTS)('OAuth store contract: grants and tokens (%s)', (dialect) => {
  let db: TestDatabase;
  let oauth: OAuthStore;
  let clientId: string;
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    oauth = db.ports.oauth;
    const c = client();
    await oauth.insertClient(c);
    clientId = c.id;
  });
  afterAll(() => db.drop());

  it('stores a family and revokes it once', async () => {
    const f = family(clientId);
    // A public client's DPoP-bound grant keeps its key's thumbprint (43 base64url characters).
    const keyless = family(clientId, { apiKeyId: null, audience: [], jkt: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs' });
    await oauth.insertFamily(f);
    await oauth.insertFamily(keyless);
    expect(await oauth.getFamily(f.id)).toEqual(f);
    expect(await oauth.getFamily(keyless.id)).toEqual(keyless);
    expect(await oauth.getFamily('tf_missing')).toBeUndefined();
    expect(await oauth.revokeFamily(f.id, T0 + 5, 'refresh_token_reused')).toBe(true);
    expect(await oauth.revokeFamily(f.id, T0 + 9, 'again')).toBe(false);
    expect(await oauth.getFamily(f.id)).toEqual({ ...f, revokedAt: T0 + 5, revokeReason: 'refresh_token_reused' });
  });

  it('stores refresh tokens, found by hash and by id', async () => {
    const f = family(clientId);
    await oauth.insertFamily(f);
    const t = refreshToken(f.id);
    await oauth.insertRefreshToken(t);
    expect(await oauth.findRefreshTokenByHash(t.hash)).toEqual(t);
    expect(await oauth.getRefreshToken(t.id)).toEqual(t);
    expect(await oauth.findRefreshTokenByHash('missing')).toBeUndefined();
    expect(await oauth.getRefreshToken('rt_missing')).toBeUndefined();
  });

  it('spends a refresh token once, naming its successor (compare-and-set)', async () => {
    const f = family(clientId);
    await oauth.insertFamily(f);
    const first = refreshToken(f.id);
    const second = refreshToken(f.id);
    await oauth.insertRefreshToken(first);
    await oauth.insertRefreshToken(second);
    expect(await oauth.markRefreshTokenUsed(first.id, T0 + 1, second.id)).toBe(true);
    expect(await oauth.markRefreshTokenUsed(first.id, T0 + 2, null)).toBe(false);
    expect(await oauth.getRefreshToken(first.id)).toEqual({ ...first, usedAt: T0 + 1, replacedById: second.id });
    expect(await oauth.markRefreshTokenUsed(second.id, T0 + 3, null)).toBe(true);
    expect((await oauth.getRefreshToken(second.id))?.replacedById).toBeNull();
  });

  it('lets one of many concurrent rotations of a refresh token spend it', async () => {
    const f = family(clientId);
    await oauth.insertFamily(f);
    const t = refreshToken(f.id);
    await oauth.insertRefreshToken(t);
    // Each rotation as the refresh grant does it: read the token in the transaction, spend it, add its successor.
    const rotate = () =>
      oauth.transaction(async (tx) => {
        const current = await tx.getRefreshToken(t.id);
        if (current === undefined || current.usedAt !== null) return false;
        const next = refreshToken(f.id);
        if (!(await tx.markRefreshTokenUsed(t.id, T0 + 1, next.id))) return false;
        await tx.insertRefreshToken(next);
        return true;
      });
    const outcomes = await Promise.all(Array.from({ length: 6 }, rotate));
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    const successor = (await oauth.getRefreshToken(t.id))!.replacedById!;
    expect(await oauth.getRefreshToken(successor)).toMatchObject({ familyId: f.id, usedAt: null });
  });

  it('stores an opaque token and keeps its first revocation', async () => {
    const t = opaqueToken(clientId);
    const unbound = opaqueToken(clientId, { jkt: null, audience: ['a', 'b'] });
    await oauth.insertOpaqueToken(t);
    await oauth.insertOpaqueToken(unbound);
    expect(await oauth.findOpaqueToken(t.hash)).toEqual(t);
    expect(await oauth.findOpaqueToken(unbound.hash)).toEqual(unbound);
    expect(await oauth.findOpaqueToken('missing')).toBeUndefined();
    await oauth.revokeOpaqueToken(t.hash, T0 + 10);
    await oauth.revokeOpaqueToken(t.hash, T0 + 20);
    expect(await oauth.findOpaqueToken(t.hash)).toEqual({ ...t, revokedAt: T0 + 10 });
  });

  it('remembers a revoked JWT id until the token would have expired', async () => {
    const jti = id('jti');
    expect(await oauth.isJtiRevoked(jti, T0)).toBe(false);
    await oauth.revokeJti(jti, T0 + 300_000);
    await oauth.revokeJti(jti, T0 + 300_000); // revoking twice is no error
    expect(await oauth.isJtiRevoked(jti, T0)).toBe(true);
    expect(await oauth.isJtiRevoked(jti, T0 + 299_999)).toBe(true);
    expect(await oauth.isJtiRevoked(jti, T0 + 300_000)).toBe(false);
  });

  it('accepts a one-time value once while it is remembered, and again after it expired', async () => {
    const key = `dpop:${id('jkt')}:${id('jti')}`;
    expect(await oauth.rememberOnce(key, T0 + 1000, T0)).toBe(true);
    expect(await oauth.rememberOnce(key, T0 + 1000, T0 + 999)).toBe(false);
    expect(await oauth.rememberOnce(key, T0 + 5000, T0 + 1000)).toBe(true);
    expect(await oauth.rememberOnce(key, T0 + 5000, T0 + 4000)).toBe(false);
    expect(await oauth.rememberOnce(`${key}:other`, T0 + 1000, T0)).toBe(true);
  });

  it('lets one of many concurrent uses of a one-time value through', async () => {
    const key = `pkjwt:${clientId}:${id('jti')}`;
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => oauth.rememberOnce(key, T0 + 60_000, T0)));
    expect(outcomes.filter(Boolean)).toHaveLength(1);
  });

  it('purges what has expired and keeps what has not', async () => {
    const q = db.store.kysely as unknown as Kysely<unknown>;
    const late = T0 + 10 * 86_400_000;
    const live = opaqueToken(clientId, { expiresAt: late + 1 });
    const dead = opaqueToken(clientId, { expiresAt: late });
    await oauth.insertOpaqueToken(live);
    await oauth.insertOpaqueToken(dead);
    await oauth.revokeJti('jti-live', late + 1);
    await oauth.rememberOnce('once-live', late + 1, T0);
    await oauth.purgeExpired(late);
    expect(await oauth.findOpaqueToken(live.hash)).toEqual(live);
    expect(await oauth.findOpaqueToken(dead.hash)).toBeUndefined();
    expect(await oauth.isJtiRevoked('jti-live', late)).toBe(true);
    expect(await oauth.rememberOnce('once-live', late + 1, late)).toBe(false);
    expect(await rows(q, 'oauth_revoked_jtis')).toBe(1);
    expect(await rows(q, 'oauth_once')).toBe(1);
    expect(await rows(q, 'oauth_opaque_tokens')).toBe(1);
  });
});
