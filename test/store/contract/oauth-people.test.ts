import type { AuthorizationCodeRecord, DeviceAuthorizationRecord, OAuthStore } from '@tessera/core';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../support/databases.js';
import { client, endUser as user, family, id, rows, T0 } from './oauth-fixtures.js';

const code = (clientId: string, userId: string, over: Partial<AuthorizationCodeRecord> = {}): AuthorizationCodeRecord => ({
  hash: id('h'),
  workspaceId: 'ws_a',
  clientId,
  userId,
  redirectUri: 'http://127.0.0.1:5000/cb?x=1',
  codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  scope: ['openid', 'email'],
  nonce: 'n-0S6_WzA2Mj',
  authTime: T0 - 5,
  amr: ['pwd'],
  createdAt: T0,
  expiresAt: T0 + 60_000,
  usedAt: null,
  familyId: null,
  accessTokenJti: null,
  accessTokenExpiresAt: null,
  ...over,
});

/** Tokens for people: end users, consents and authorization codes, the same on every backend. */
describe.each(DIALECTS)('OAuth store contract: end users, consents, authorization codes (%s)', (dialect) => {
  let db: TestDatabase;
  let oauth: OAuthStore;
  let clientId: string;
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    oauth = db.ports.oauth;
    const c = client();
    await oauth.insertClient(c);
    clientId = c.id;
    expect((await oauth.getClient(c.id))?.redirectUris).toEqual(c.redirectUris);
  });
  afterAll(() => db.drop());

  it('keeps end users: an email once per workspace, listed in id order, updated, deleted with their consents', async () => {
    const a = user();
    expect(await oauth.insertEndUser(a)).toBe(true);
    expect(await oauth.insertEndUser(user({ email: a.email }))).toBe(false);
    const other = user({ email: a.email, workspaceId: 'ws_b', name: null, emailVerified: false });
    expect(await oauth.insertEndUser(other)).toBe(true);
    expect(await oauth.getEndUser(a.id)).toEqual(a);
    expect(await oauth.findEndUserByEmail('ws_a', a.email)).toEqual(a);
    expect(await oauth.findEndUserByEmail('ws_b', a.email)).toEqual(other);
    expect(await oauth.findEndUserByEmail('ws_c', a.email)).toBeUndefined();
    const b = user();
    await oauth.insertEndUser(b);
    const listed = await oauth.listEndUsers({ workspaceId: 'ws_a', limit: 10 });
    expect(listed.map((u) => u.id)).toEqual([a.id, b.id].sort());
    expect(await oauth.listEndUsers({ workspaceId: 'ws_a', limit: 10, after: listed[0]!.id })).toEqual([listed[1]]);
    await oauth.updateEndUser(a.id, { disabledAt: T0 + 1, updatedAt: T0 + 1, lastSignInAt: T0 });
    expect(await oauth.getEndUser(a.id)).toEqual({ ...a, disabledAt: T0 + 1, updatedAt: T0 + 1, lastSignInAt: T0 });
    await oauth.saveConsent({ userId: a.id, clientId, workspaceId: 'ws_a', scope: ['openid'], createdAt: T0, updatedAt: T0 });
    expect(await oauth.deleteEndUser(a.id)).toBe(true);
    expect(await oauth.deleteEndUser(a.id)).toBe(false);
    expect(await oauth.getEndUser(a.id)).toBeUndefined();
    expect(await oauth.getConsent(a.id, clientId)).toBeUndefined();
  });

  it('keeps a sealed TOTP secret, and spends each time step once (a replay, or the loser of a race, is refused)', async () => {
    const u = user();
    await oauth.insertEndUser(u);
    await oauth.updateEndUser(u.id, { totpSecret: 'sealed:active', totpPending: null, totpLastStep: 100 });
    expect(await oauth.getEndUser(u.id)).toMatchObject({ totpSecret: 'sealed:active', totpPending: null, totpLastStep: 100 });
    expect(await oauth.spendEndUserTotpStep(u.id, 100, T0)).toBe(false);
    expect(await oauth.spendEndUserTotpStep(u.id, 99, T0)).toBe(false);
    const race = await Promise.all([oauth.spendEndUserTotpStep(u.id, 101, T0), oauth.spendEndUserTotpStep(u.id, 101, T0)]);
    expect(race.filter(Boolean)).toHaveLength(1);
    expect((await oauth.getEndUser(u.id))?.totpLastStep).toBe(101);
    await oauth.updateEndUser(u.id, { totpSecret: null, totpLastStep: null });
    expect(await oauth.spendEndUserTotpStep(u.id, 1, T0)).toBe(true);
  });

  it('counts second-factor code guesses per user in windows, atomically, and ends a window on demand', async () => {
    const u = user();
    await oauth.insertEndUser(u);
    const W = 15 * 60_000;
    expect(await oauth.countCodeGuess(u.id, T0, W)).toBe(1);
    expect(await oauth.countCodeGuess(u.id, T0 + 1, W)).toBe(2);
    // Guesses racing (on one node or several) are each counted once.
    const raced = await Promise.all(Array.from({ length: 8 }, () => oauth.countCodeGuess(u.id, T0 + 2, W)));
    expect(raced.sort((a, b) => a - b)).toEqual([3, 4, 5, 6, 7, 8, 9, 10]);
    // Still within the window a millisecond before its end; a new one from its end on.
    expect(await oauth.countCodeGuess(u.id, T0 + W - 1, W)).toBe(11);
    expect(await oauth.countCodeGuess(u.id, T0 + W, W)).toBe(1);
    expect(await oauth.countCodeGuess(u.id, T0 + W + 5, W)).toBe(2);
    await oauth.clearCodeGuesses(u.id);
    expect(await oauth.countCodeGuess(u.id, T0 + W + 6, W)).toBe(1);
    // Each user has their own window; there is none for a user who does not exist.
    const other = user();
    await oauth.insertEndUser(other);
    expect(await oauth.countCodeGuess(other.id, T0 + W + 7, W)).toBe(1);
    expect(await oauth.countCodeGuess('eu_nobody', T0, W)).toBe(0);
    // The user's record is unchanged by its count.
    expect(await oauth.getEndUser(u.id)).toEqual(u);
  });

  it('keeps one brand per workspace, replaced by the next', async () => {
    expect(await oauth.getBranding('ws_brand')).toBeUndefined();
    const brand = { workspaceId: 'ws_brand', name: 'Notes ✓', logoUrl: 'https://notes.example/l.png', color: '#0b6e4f', updatedAt: T0 };
    await oauth.saveBranding(brand);
    expect(await oauth.getBranding('ws_brand')).toEqual(brand);
    await oauth.saveBranding({ ...brand, name: null, color: null, updatedAt: T0 + 1 });
    expect(await oauth.getBranding('ws_brand')).toEqual({ ...brand, name: null, color: null, updatedAt: T0 + 1 });
    expect(await oauth.getBranding('ws_other')).toBeUndefined();
  });

  it('remembers one consent per user and client, replaced by the next', async () => {
    const u = user();
    await oauth.insertEndUser(u);
    expect(await oauth.getConsent(u.id, clientId)).toBeUndefined();
    const first = { userId: u.id, clientId, workspaceId: 'ws_a', scope: ['openid'], createdAt: T0, updatedAt: T0 };
    await oauth.saveConsent(first);
    expect(await oauth.getConsent(u.id, clientId)).toEqual(first);
    await oauth.saveConsent({ ...first, scope: ['openid', 'email'], updatedAt: T0 + 9 });
    expect(await oauth.getConsent(u.id, clientId)).toEqual({ ...first, scope: ['openid', 'email'], updatedAt: T0 + 9 });
  });

  it('lists a user’s consents and live families, and forgets consents for one client or all', async () => {
    const u = user();
    await oauth.insertEndUser(u);
    const second = client();
    await oauth.insertClient(second);
    const [c1, c2] = [clientId, second.id].sort() as [string, string];
    for (const c of [c2, c1])
      await oauth.saveConsent({ userId: u.id, clientId: c, workspaceId: 'ws_a', scope: ['openid'], createdAt: T0, updatedAt: T0 });
    expect((await oauth.listConsentsOfUser(u.id)).map((c) => c.clientId)).toEqual([c1, c2]);
    const fams = [family(c1, { subject: u.id }), family(c2, { subject: u.id }), family(c1, { subject: u.id })];
    for (const f of fams) await oauth.insertFamily(f);
    await oauth.insertFamily(family(c1, { subject: 'someone-else' }));
    await oauth.revokeFamily(fams[2]!.id, T0 + 1, 'test');
    expect((await oauth.listLiveFamiliesOfSubject(u.id, undefined, 10)).map((f) => f.id)).toEqual([fams[0]!.id, fams[1]!.id].sort());
    expect(await oauth.listLiveFamiliesOfSubject(u.id, c2, 10)).toEqual([fams[1]]);
    expect(await oauth.listLiveFamiliesOfSubject(u.id, undefined, 1)).toHaveLength(1);
    expect(await oauth.deleteConsents(u.id, c1)).toBe(1);
    expect(await oauth.deleteConsents(u.id, c1)).toBe(0);
    expect(await oauth.getConsent(u.id, c2)).toBeDefined();
    expect(await oauth.deleteConsents(u.id)).toBe(1);
    expect(await oauth.listConsentsOfUser(u.id)).toEqual([]);
  });

  it('spends an authorization code once, recording what it yielded (compare-and-set), and purges old ones', async () => {
    const u = user();
    await oauth.insertEndUser(u);
    const c = code(clientId, u.id);
    const bare = code(clientId, u.id, { nonce: null, amr: [] });
    await oauth.insertAuthorizationCode(c);
    await oauth.insertAuthorizationCode(bare);
    expect(await oauth.findAuthorizationCode(c.hash)).toEqual(c);
    expect(await oauth.findAuthorizationCode(bare.hash)).toEqual(bare);
    expect(await oauth.findAuthorizationCode('missing')).toBeUndefined();
    const issued = { familyId: 'fam_1', accessTokenJti: 'jti-1', accessTokenExpiresAt: T0 + 300_000 };
    const races = await Promise.all([
      oauth.spendAuthorizationCode(c.hash, T0 + 1, issued),
      oauth.spendAuthorizationCode(c.hash, T0 + 2, { ...issued, accessTokenJti: 'jti-2' }),
    ]);
    expect(races.filter(Boolean)).toHaveLength(1);
    const spent = await oauth.findAuthorizationCode(c.hash);
    expect(spent).toMatchObject({ familyId: 'fam_1', accessTokenExpiresAt: T0 + 300_000 });
    expect(spent?.accessTokenJti).toBe(races[0] ? 'jti-1' : 'jti-2');
    // Spent or not, a code is kept a day past its end (a late replay still revokes), then purged.
    await oauth.purgeExpired(T0 + 60_000 + 86_400_000 - 1);
    expect(await oauth.findAuthorizationCode(c.hash)).toBeDefined();
    await oauth.purgeExpired(T0 + 60_000 + 86_400_000);
    expect(await rows(db.store.kysely as unknown as Kysely<unknown>, 'oauth_authorization_codes')).toBe(0);
  });

  it('keeps device authorizations: a user code once, polls, one decision and one spending (compare-and-set), purged late', async () => {
    const d: DeviceAuthorizationRecord = {
      deviceCodeHash: id('dh'),
      userCodeHash: id('uh'),
      workspaceId: 'ws_a',
      clientId,
      scope: ['openid', 'offline_access'],
      createdAt: T0,
      expiresAt: T0 + 600_000,
      interval: 5,
      lastPolledAt: null,
      status: 'pending',
      userId: null,
      authTime: null,
      amr: null,
      decidedAt: null,
    };
    expect(await oauth.insertDeviceAuthorization(d)).toBe(true);
    expect(await oauth.insertDeviceAuthorization({ ...d, deviceCodeHash: id('dh') })).toBe(false); // the user code is taken
    expect(await oauth.findDeviceAuthorization(d.deviceCodeHash)).toEqual(d);
    expect(await oauth.findDeviceAuthorizationByUserCode(d.userCodeHash)).toEqual(d);
    expect(await oauth.findDeviceAuthorizationByUserCode(id('uh'))).toBeUndefined();

    expect(await oauth.recordDevicePoll(d.deviceCodeHash, null, T0 + 1000, 5)).toBe(true);
    expect(await oauth.recordDevicePoll(d.deviceCodeHash, null, T0 + 1001, 5)).toBe(false); // lost the race
    expect(await oauth.recordDevicePoll(d.deviceCodeHash, T0 + 1000, T0 + 2000, 10)).toBe(true);
    expect(await oauth.findDeviceAuthorization(d.deviceCodeHash)).toMatchObject({ lastPolledAt: T0 + 2000, interval: 10 });

    expect(await oauth.spendDeviceAuthorization(d.deviceCodeHash)).toBe(false); // not approved
    const decision = { status: 'approved' as const, userId: 'eu_x', authTime: T0 - 5, amr: ['pwd'], at: T0 + 3000 };
    expect(await oauth.decideDeviceAuthorization(d.deviceCodeHash, { ...decision, at: T0 + 600_000 })).toBe(false); // expired
    expect(await oauth.decideDeviceAuthorization(d.deviceCodeHash, decision)).toBe(true);
    expect(await oauth.decideDeviceAuthorization(d.deviceCodeHash, { ...decision, status: 'denied' })).toBe(false);
    expect(await oauth.findDeviceAuthorization(d.deviceCodeHash)).toMatchObject({
      status: 'approved',
      userId: 'eu_x',
      authTime: T0 - 5,
      amr: ['pwd'],
      decidedAt: T0 + 3000,
    });
    expect(await oauth.spendDeviceAuthorization(d.deviceCodeHash)).toBe(true);
    expect(await oauth.spendDeviceAuthorization(d.deviceCodeHash)).toBe(false);

    await oauth.purgeExpired(T0 + 600_000 + 86_400_000 - 1);
    expect(await oauth.findDeviceAuthorization(d.deviceCodeHash)).toBeDefined();
    await oauth.purgeExpired(T0 + 600_000 + 86_400_000);
    expect(await oauth.findDeviceAuthorization(d.deviceCodeHash)).toBeUndefined();
  });

  it('keeps pushed authorization requests: found by hash, used once (compare-and-set), purged once expired', async () => {
    const r = {
      hash: id('ph'),
      workspaceId: 'ws_a',
      clientId,
      params: { client_id: clientId, response_type: 'code', redirect_uri: 'http://127.0.0.1/cb', state: 'ünï' },
      createdAt: T0,
      expiresAt: T0 + 300_000,
      usedAt: null,
    };
    await oauth.insertPushedRequest(r);
    expect(await oauth.findPushedRequest(r.hash)).toEqual(r);
    expect(await oauth.findPushedRequest(id('ph'))).toBeUndefined();
    expect(await oauth.spendPushedRequest(r.hash, T0 + 1)).toBe(true);
    expect(await oauth.spendPushedRequest(r.hash, T0 + 2)).toBe(false);
    expect(await oauth.findPushedRequest(r.hash)).toMatchObject({ usedAt: T0 + 1 });
    await oauth.purgeExpired(T0 + 299_999);
    expect(await oauth.findPushedRequest(r.hash)).toBeDefined();
    await oauth.purgeExpired(T0 + 300_000);
    expect(await oauth.findPushedRequest(r.hash)).toBeUndefined();
  });
});
