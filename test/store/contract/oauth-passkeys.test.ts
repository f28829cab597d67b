import type { OAuthStore, PasskeyRecord } from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../support/databases.js';
import { endUser, id, T0 } from './oauth-fixtures.js';

const passkey = (userId: string, over: Partial<PasskeyRecord> = {}): PasskeyRecord => ({
  id: id('pk'),
  userId,
  credentialId: id('Y3JlZGVudGlhbA'),
  publicKey: 'pQECAyYgASFYIA',
  counter: 4_000_000_000,
  transports: ['usb', 'nfc'],
  name: 'Schlüssel 🔑',
  createdAt: T0,
  lastUsedAt: null,
  ...over,
});

/** End users' passkeys and the WebAuthn challenge held on the user, the same on every backend. */
describe.each(DIALECTS)('OAuth store contract: end users’ passkeys (%s)', (dialect) => {
  let db: TestDatabase;
  let oauth: OAuthStore;
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    oauth = db.ports.oauth;
  });
  afterAll(() => db.drop());

  async function stored() {
    const u = endUser();
    expect(await oauth.insertEndUser(u)).toBe(true);
    return u;
  }

  it('keeps passkeys, lists a user’s own in id order, finds one by its credential id, unique', async () => {
    const u = await stored();
    const b = passkey(u.id, { id: `pk_${dialect}b`, transports: [] });
    const a = passkey(u.id, { id: `pk_${dialect}a`, lastUsedAt: T0 + 9 });
    await oauth.endUserPasskeys.insert(b);
    await oauth.endUserPasskeys.insert(a);
    await oauth.endUserPasskeys.insert(passkey((await stored()).id));
    expect(await oauth.endUserPasskeys.list(u.id)).toEqual([a, b]);
    expect(await oauth.endUserPasskeys.findByCredentialId(b.credentialId)).toEqual(b);
    expect(await oauth.endUserPasskeys.findByCredentialId('unknown')).toBeUndefined();
    await expect(oauth.endUserPasskeys.insert(passkey(u.id, { credentialId: a.credentialId }))).rejects.toThrow();
  });

  it('counts the passkeys of several users in one call, leaving out users with none', async () => {
    const [two, one, none] = [await stored(), await stored(), await stored()];
    await oauth.endUserPasskeys.insert(passkey(two.id));
    await oauth.endUserPasskeys.insert(passkey(two.id));
    await oauth.endUserPasskeys.insert(passkey(one.id));
    const counts = await oauth.endUserPasskeys.countByUser([two.id, one.id, none.id]);
    expect([...counts].sort()).toEqual(
      [
        [one.id, 1],
        [two.id, 2],
      ].sort(),
    );
    expect(await oauth.endUserPasskeys.countByUser([])).toEqual(new Map());
  });

  it('moves the signature counter only from the value read', async () => {
    const p = passkey((await stored()).id);
    await oauth.endUserPasskeys.insert(p);
    expect(await oauth.endUserPasskeys.recordUse(p.id, p.counter, p.counter + 1, T0 + 1)).toBe(true);
    expect(await oauth.endUserPasskeys.recordUse(p.id, p.counter, p.counter + 2, T0 + 2)).toBe(false);
    expect(await oauth.endUserPasskeys.findByCredentialId(p.credentialId)).toEqual({ ...p, counter: p.counter + 1, lastUsedAt: T0 + 1 });
  });

  it('deletes only the user’s own passkey, all of them at a reset, and those of a deleted user', async () => {
    const u = await stored();
    const p = passkey(u.id);
    await oauth.endUserPasskeys.insert(p);
    expect(await oauth.endUserPasskeys.delete('eu_someoneElse', p.id)).toBe(false);
    expect(await oauth.endUserPasskeys.delete(u.id, p.id)).toBe(true);
    expect(await oauth.endUserPasskeys.delete(u.id, p.id)).toBe(false);
    await oauth.endUserPasskeys.insert(passkey(u.id));
    await oauth.endUserPasskeys.insert(passkey(u.id));
    const other = passkey((await stored()).id);
    await oauth.endUserPasskeys.insert(other);
    expect(await oauth.endUserPasskeys.deleteAll(u.id)).toBe(2);
    expect(await oauth.endUserPasskeys.list(u.id)).toEqual([]);
    expect(await oauth.endUserPasskeys.list(other.userId)).toEqual([other]);
    expect(await oauth.deleteEndUser(other.userId)).toBe(true);
    expect(await oauth.endUserPasskeys.findByCredentialId(other.credentialId)).toBeUndefined();
  });

  it('holds one challenge per user, taken once; a new one replaces it', async () => {
    const u = await stored();
    const other = await stored();
    expect(await oauth.endUserPasskeys.takeChallenge(u.id)).toBeUndefined();
    await oauth.endUserPasskeys.setChallenge(u.id, { purpose: 'register', challenge: 'first', expiresAt: T0 + 300_000 });
    const held = { purpose: 'login' as const, challenge: 'c'.repeat(86), expiresAt: T0 + 300_000 };
    await oauth.endUserPasskeys.setChallenge(u.id, held);
    expect(await oauth.endUserPasskeys.takeChallenge(other.id)).toBeUndefined();
    const [one, two] = await Promise.all([oauth.endUserPasskeys.takeChallenge(u.id), oauth.endUserPasskeys.takeChallenge(u.id)]);
    expect([one, two].filter((c) => c !== undefined)).toEqual([held]);
    expect(await oauth.endUserPasskeys.takeChallenge(u.id)).toBeUndefined();
    // The user's own fields are untouched by the challenge.
    expect(await oauth.getEndUser(u.id)).toEqual(u);
  });

  it('is the same port inside a transaction, and a rolled-back one leaves nothing', async () => {
    const p = passkey((await stored()).id);
    await expect(
      oauth.transaction(async (tx) => {
        await tx.endUserPasskeys.insert(p);
        expect(await tx.endUserPasskeys.list(p.userId)).toEqual([p]);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await oauth.endUserPasskeys.list(p.userId)).toEqual([]);
  });
});
