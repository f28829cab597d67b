import type { OAuthStore } from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../support/databases.js';
import { client, id, secret, signingKey, T0 } from './oauth-fixtures.js';

/** The OAuth port's clients, secrets, audiences and signing keys: the same behaviour on every backend. */
describe.each(DIALECTS)('OAuth store contract: clients and signing keys (%s)', (dialect) => {
  let db: TestDatabase;
  let oauth: OAuthStore;
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    oauth = db.ports.oauth;
  });
  afterAll(() => db.drop());

  it('stores a client and reads it back exactly', async () => {
    const c = client();
    await oauth.insertClient(c);
    expect(await oauth.getClient(c.id)).toEqual(c);
    const plain = client({ jwks: null, authMethod: 'client_secret_basic', dpopBound: false, dpopNonce: true, accessTokenFormat: 'jwt' });
    await oauth.insertClient(plain);
    expect(await oauth.getClient(plain.id)).toEqual(plain);
    expect(await oauth.getClient('cli_missing')).toBeUndefined();
  });

  it('changes only the fields a patch names', async () => {
    const c = client();
    await oauth.insertClient(c);
    await oauth.updateClient(c.id, { name: 'renamed', scopes: [], jwks: null, dpopBound: false, updatedAt: T0 + 1 });
    expect(await oauth.getClient(c.id)).toEqual({ ...c, name: 'renamed', scopes: [], jwks: null, dpopBound: false, updatedAt: T0 + 1 });
    await oauth.updateClient(c.id, {});
    await oauth.updateClient(c.id, { deletedAt: T0 + 2 });
    expect((await oauth.getClient(c.id))?.deletedAt).toBe(T0 + 2);
  });

  it('finds a web origin a live client registered, exactly', async () => {
    const origin = `https://${id('spa')}.example`;
    const near = `https://${id('near')}_x.example:8443`;
    expect(await oauth.webOriginRegistered(origin)).toBe(false);
    const c = client({ webOrigins: [near, origin] });
    await oauth.insertClient(c);
    expect(await oauth.webOriginRegistered(origin)).toBe(true);
    expect(await oauth.webOriginRegistered(near)).toBe(true);
    // Neither a prefix, nor a LIKE wildcard, nor another case matches.
    expect(await oauth.webOriginRegistered(origin.slice(0, -3))).toBe(false);
    expect(await oauth.webOriginRegistered(near.replace('_', '%'))).toBe(false);
    expect(await oauth.webOriginRegistered(near.replace('_x', 'yx'))).toBe(false);
    expect(await oauth.webOriginRegistered(origin.toUpperCase())).toBe(false);
    await oauth.updateClient(c.id, { deletedAt: T0 + 3 });
    expect(await oauth.webOriginRegistered(origin)).toBe(false);
  });

  it('lists a workspace’s live clients in id order, a page at a time', async () => {
    const ws = id('ws');
    const made = [];
    for (let i = 0; i < 5; i++) made.push(client({ workspaceId: ws }));
    for (const c of made) await oauth.insertClient(c);
    await oauth.insertClient(client({ workspaceId: ws, deletedAt: T0 }));
    await oauth.insertClient(client({ workspaceId: id('ws') }));
    const first = await oauth.listClients({ workspaceId: ws, limit: 2 });
    const rest = await oauth.listClients({ workspaceId: ws, limit: 10, after: first[1]!.id });
    expect([...first, ...rest]).toEqual(made);
  });

  it('gives an audience to one workspace at most, and takes back only what no live client names', async () => {
    const [a, b] = [id('ws'), id('ws')];
    const [mine, theirs, free] = [`https://${id('a')}.example`, `https://${id('b')}.example`, `https://${id('c')}.example`];
    expect(await oauth.claimAudiences(a, [mine], T0)).toBeUndefined();
    expect(await oauth.claimAudiences(a, [mine], T0)).toBeUndefined(); // its own again
    // The first audience another workspace holds is named, and none of the rest is claimed.
    expect(await oauth.claimAudiences(b, [free, mine], T0)).toBe(mine);
    expect(await oauth.claimAudiences(a, [free], T0)).toBeUndefined();
    expect(await oauth.claimAudiences(b, [theirs], T0)).toBeUndefined();

    // A live client of `a` names `mine`: releasing keeps it; once none does, it is free again.
    const named = client({ workspaceId: a, audience: [mine] });
    await oauth.insertClient(named);
    await oauth.releaseAudiences(a, [mine, free]);
    expect(await oauth.claimAudiences(b, [mine], T0)).toBe(mine);
    expect(await oauth.claimAudiences(b, [free], T0)).toBeUndefined();
    await oauth.updateClient(named.id, { deletedAt: T0 });
    await oauth.releaseAudiences(a, [mine]);
    expect(await oauth.claimAudiences(b, [mine], T0)).toBeUndefined();
    await oauth.releaseAudiences(a, []);
  });

  it('lets one of two workspaces claiming an audience at once win', async () => {
    const audience = `https://${id('race')}.example`;
    const wss = Array.from({ length: 4 }, () => id('ws'));
    const outcomes = await Promise.all(wss.map((ws) => oauth.transaction((tx) => tx.claimAudiences(ws, [audience], T0))));
    expect(outcomes.filter((o) => o === undefined)).toHaveLength(1);
    expect(outcomes.filter((o) => o === audience)).toHaveLength(3);
  });

  it('keeps a client’s secrets live until they expire, rotated ones through their grace', async () => {
    const c = client({ authMethod: 'client_secret_basic', jwks: null });
    await oauth.insertClient(c);
    const old = secret(c.id, { id: `cs_1${id('')}` });
    const current = secret(c.id, { id: `cs_2${id('')}` });
    await oauth.insertClientSecret(old);
    await oauth.insertClientSecret(current);
    expect(await oauth.listLiveClientSecrets(c.id, T0)).toEqual([old, current]);
    // A rotation gives the old secret an end: live until then, not after.
    await oauth.expireClientSecret(old.id, T0 + 60_000);
    expect(await oauth.listLiveClientSecrets(c.id, T0 + 59_999)).toEqual([{ ...old, expiresAt: T0 + 60_000 }, current]);
    expect(await oauth.listLiveClientSecrets(c.id, T0 + 60_000)).toEqual([current]);
    await oauth.expireClientSecret(current.id, T0);
    expect(await oauth.listLiveClientSecrets(c.id, T0)).toEqual([{ ...old, expiresAt: T0 + 60_000 }]);
    expect(await oauth.listLiveClientSecrets(c.id, T0 + 60_000)).toEqual([]);
    expect(await oauth.listLiveClientSecrets('cli_missing', T0)).toEqual([]);
  });

  it('finds clients whose secret fell due, and lets one node tell each owner once', async () => {
    const base = T0 + 2000 * 86_400_000; // after the other tests' clients
    const schedule = { authMethod: 'client_secret_basic' as const, jwks: null, secretRotationDays: 30, secretRotationOverlapSeconds: 3600 };
    const due = client({ ...schedule, secretRotationDueAt: base - 10 });
    const later = client({ ...schedule, secretRotationDueAt: base + 10 });
    const told = client({ ...schedule, secretRotationDueAt: base - 20, secretRotationNotifiedAt: base - 5 });
    const deleted = client({ ...schedule, secretRotationDueAt: base - 30, deletedAt: base - 1 });
    for (const c of [due, later, told, deleted]) await oauth.insertClient(c);
    expect(await oauth.getClient(due.id)).toEqual(due);
    const found = (await oauth.listClientsDueForSecretRotation(base, 100)).filter((c) =>
      [due, later, told, deleted].some((x) => x.id === c.id),
    );
    expect(found).toEqual([due]);
    expect(await oauth.markSecretRotationNotified(due.id, base + 10, base)).toBe(false); // another due date: not this notice
    expect(await oauth.transaction((tx) => tx.markSecretRotationNotified(due.id, base - 10, base))).toBe(true);
    expect(await oauth.markSecretRotationNotified(due.id, base - 10, base + 1)).toBe(false); // told already
    expect((await oauth.getClient(due.id))?.secretRotationNotifiedAt).toBe(base);
    expect((await oauth.listClientsDueForSecretRotation(base, 100)).map((c) => c.id)).not.toContain(due.id);
  });

  it('publishes signing keys until they expire, oldest activation first', async () => {
    const base = T0 + 1000 * 86_400_000; // after the other tests' keys
    const next = signingKey({
      activatesAt: base + 30,
      retiresAt: base + 60,
      expiresAt: base + 61,
      alg: 'ML-DSA-65',
      publicJwk: { kty: 'AKP', alg: 'ML-DSA-65', pub: 'cHVi' },
    });
    const current = signingKey({ activatesAt: base, retiresAt: base + 30, expiresAt: base + 31 });
    const gone = signingKey({ activatesAt: base - 30, retiresAt: base, expiresAt: base + 1 });
    for (const k of [next, current, gone]) await oauth.insertSigningKey(k);
    expect(await oauth.listSigningKeys(base)).toEqual([gone, current, next]);
    expect(await oauth.listSigningKeys(base + 1)).toEqual([current, next]);
    expect(await oauth.listSigningKeys(base + 61)).toEqual([]);
    // An emergency retirement moves the times: out of the list at once; the successor signs now.
    const retired = { activatesAt: base, retiresAt: base + 2, expiresAt: base + 2 };
    expect(await oauth.rescheduleSigningKey(current.kid, retired)).toBe(true);
    const promoted = { activatesAt: base + 2, retiresAt: base + 90, expiresAt: base + 91 };
    expect(await oauth.transaction((tx) => tx.rescheduleSigningKey(next.kid, promoted))).toBe(true);
    expect(await oauth.listSigningKeys(base + 2)).toEqual([{ ...next, ...promoted }]);
    expect(await oauth.rescheduleSigningKey('no-such-kid', retired)).toBe(false);
  });

  it('writes nothing of a transaction that fails, and everything of one that commits', async () => {
    const lost = client();
    await expect(
      oauth.transaction(async (tx) => {
        await tx.insertClient(lost);
        await tx.insertClientSecret(secret(lost.id));
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await oauth.getClient(lost.id)).toBeUndefined();
    expect(await oauth.listLiveClientSecrets(lost.id, T0)).toEqual([]);
    const kept = client();
    await oauth.transaction(async (tx) => {
      await tx.insertClient(kept);
      expect(await tx.getClient(kept.id)).toEqual(kept);
    });
    expect(await oauth.getClient(kept.id)).toEqual(kept);
  });
});
