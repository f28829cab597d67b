import {
  KeyService,
  LocalInvalidationBus,
  ManualClock,
  MemoryKeyring,
  RootKeyService,
  type Actor,
  type ConsolePasskeyRecord,
  type ConsoleRepos,
  type ConsoleSessionRecord,
  type ConsoleUserRecord,
} from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../support/databases.js';

/** The console's storage port, every method, on every backend. */
describe.each(DIALECTS)('console repos contract (%s)', (dialect) => {
  let db: TestDatabase;
  let repos: ConsoleRepos;
  let actor: Actor;
  const clock = new ManualClock();
  const now = clock.now();
  let n = 0;

  /** A user with every field set to something a round trip could get wrong. */
  function user(overrides: Partial<ConsoleUserRecord> = {}): ConsoleUserRecord {
    n++;
    return {
      id: `usr_contract${dialect}${String(n).padStart(6, '0')}`,
      workspaceId: actor.workspaceId!,
      otherWorkspaceIds: [],
      email: `user${n}-${dialect}@example.test`,
      name: 'Zoë 🐢',
      role: 'admin',
      passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
      totpSecret: 'sealed-active',
      totpPending: null,
      totpLastStep: 58_000_000,
      recoveryCodes: ['hash-a', 'hash-b', 'hash-c'],
      recoveryPepperVersion: 2,
      failedLogins: 0,
      lockedUntil: null,
      disabledAt: null,
      createdAt: now,
      updatedAt: now,
      lastLoginAt: null,
      ...overrides,
    };
  }

  function session(userId: string, overrides: Partial<ConsoleSessionRecord> = {}): ConsoleSessionRecord {
    n++;
    return {
      idHash: `${dialect}-session-${n}`.padEnd(64, '0'),
      userId,
      stage: 'full',
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + 3_600_000,
      ip: '2001:db8::7',
      userAgent: 'Mozilla/5.0 (contract)',
      ...overrides,
    };
  }

  async function stored(u: ConsoleUserRecord): Promise<ConsoleUserRecord> {
    await repos.insertUser(u);
    return u;
  }

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    repos = db.store.console;
    const root = await new RootKeyService({
      store: db.store,
      keyring: MemoryKeyring.generate(),
      clock,
      bus: new LocalInvalidationBus(),
    }).bootstrap();
    actor = { id: `root_key:${root.record.id}`, workspaceId: root.record.workspaceId, ip: null };
  });
  afterAll(() => db.drop());

  describe('users', () => {
    it('reads a user back exactly, by id and by email; an unknown one is undefined', async () => {
      const u = await stored(
        user({
          lockedUntil: now + 1,
          disabledAt: now + 2,
          lastLoginAt: now + 3,
          name: null,
          totpSecret: null,
          otherWorkspaceIds: ['ws_x', 'ws_y'],
        }),
      );
      expect(await repos.getUser(u.id)).toEqual(u);
      expect(await repos.findUserByEmail(u.email)).toEqual(u);
      expect(await repos.getUser('usr_nobody')).toBeUndefined();
      expect(await repos.findUserByEmail('nobody@example.test')).toBeUndefined();
    });

    it('keeps an email once', async () => {
      const u = await stored(user());
      await expect(repos.insertUser(user({ email: u.email }))).rejects.toThrow();
    });

    it("lists a workspace's users in id order, and no other workspace's", async () => {
      const workspaceId = `ws_list${dialect}`;
      const b = user({ workspaceId, id: `usr_list${dialect}b` });
      const a = user({ workspaceId, id: `usr_list${dialect}a` });
      await stored(b);
      await stored(a);
      await stored(user());
      expect(await repos.listUsers(workspaceId)).toEqual([a, b]);
      expect(await repos.listUsers('ws_empty')).toEqual([]);
    });

    it('lists the users homed elsewhere that reach a workspace, in id order, and no look-alike', async () => {
      const target = `ws_reach${dialect}`;
      // `_` and `%` are LIKE wildcards: a near miss must not match, nor a user homed in the workspace itself.
      const b = await stored(user({ id: `usr_reach${dialect}b`, otherWorkspaceIds: ['ws_other', target] }));
      const a = await stored(user({ id: `usr_reach${dialect}a`, otherWorkspaceIds: [target] }));
      await stored(user({ otherWorkspaceIds: [`ws-reach${dialect}`, `wsXreach${dialect}`, `${target}2`, `x${target}`] }));
      await stored(user({ workspaceId: target, otherWorkspaceIds: [target] }));
      await stored(user({ otherWorkspaceIds: [] }));
      expect(await repos.listUsersReaching(target)).toEqual([a, b]);
      expect(await repos.listUsersReaching('ws_%')).toEqual([]);
      expect(await repos.listUsersReaching('ws_nobody')).toEqual([]);
      await repos.updateUser(b.id, { otherWorkspaceIds: ['ws_other'] });
      expect(await repos.listUsersReaching(target)).toEqual([a]);
      expect((await repos.getUser(b.id))!.otherWorkspaceIds).toEqual(['ws_other']);
    });

    it('changes the fields a patch sets, and only those', async () => {
      const u = await stored(user());
      await repos.updateUser(u.id, {});
      expect(await repos.getUser(u.id)).toEqual(u);
      const patch = {
        email: `renamed-${u.email}`,
        role: 'viewer' as const,
        totpSecret: null,
        totpPending: 'sealed-pending',
        recoveryCodes: [],
        recoveryPepperVersion: 3,
        lockedUntil: now + 60_000,
        updatedAt: now + 5,
        lastLoginAt: now + 4,
        otherWorkspaceIds: ['ws_patched'],
        name: undefined,
      };
      await repos.updateUser(u.id, patch);
      const { name: _unchanged, ...set } = patch;
      expect(await repos.getUser(u.id)).toEqual({ ...u, ...set });
    });

    it('counts failed sign-ins one at a time, also when they race', async () => {
      const u = await stored(user());
      expect(await repos.incrementFailedLogins(u.id, now + 1)).toBe(1);
      await Promise.all([1, 2, 3].map(() => repos.incrementFailedLogins(u.id, now + 2)));
      expect(await repos.getUser(u.id)).toMatchObject({ failedLogins: 4, updatedAt: now + 2 });
      expect(await repos.incrementFailedLogins('usr_nobody', now)).toBe(0);
    });

    it('spends a TOTP step once, and never one at or before the last one spent', async () => {
      const u = await stored(user({ totpLastStep: null }));
      expect(await repos.spendTotpStep(u.id, 100, now + 1)).toBe(true);
      expect(await repos.spendTotpStep(u.id, 100, now + 2)).toBe(false);
      expect(await repos.spendTotpStep(u.id, 99, now + 2)).toBe(false);
      const raced = await Promise.all([repos.spendTotpStep(u.id, 101, now + 3), repos.spendTotpStep(u.id, 101, now + 3)]);
      expect(raced.filter(Boolean)).toHaveLength(1);
      expect(await repos.getUser(u.id)).toMatchObject({ totpLastStep: 101, updatedAt: now + 3 });
    });

    it('replaces recovery codes only while they are still the ones expected', async () => {
      const u = await stored(user());
      const left = ['hash-a', 'hash-c'];
      const raced = await Promise.all([
        repos.replaceRecoveryCodes(u.id, u.recoveryCodes, left, now + 1),
        repos.replaceRecoveryCodes(u.id, u.recoveryCodes, ['hash-b', 'hash-c'], now + 1),
      ]);
      expect(raced.filter(Boolean)).toHaveLength(1);
      const after = (await repos.getUser(u.id))!.recoveryCodes;
      expect(await repos.replaceRecoveryCodes(u.id, u.recoveryCodes, [], now + 2)).toBe(false);
      expect(await repos.replaceRecoveryCodes(u.id, after, [], now + 2)).toBe(true);
      expect(await repos.getUser(u.id)).toMatchObject({ recoveryCodes: [], updatedAt: now + 2 });
    });
  });

  describe('sessions', () => {
    it('reads a session back exactly, and keeps the idle clock', async () => {
      const u = await stored(user());
      const s = session(u.id, { stage: 'password', ip: null, userAgent: null });
      await repos.insertSession(s);
      expect(await repos.getSession(s.idHash)).toEqual(s);
      await repos.touchSession(s.idHash, now + 30_000);
      expect(await repos.getSession(s.idHash)).toEqual({ ...s, lastSeenAt: now + 30_000 });
      await repos.deleteSession(s.idHash);
      expect(await repos.getSession(s.idHash)).toBeUndefined();
      await repos.deleteSession(s.idHash); // gone already: nothing to do
    });

    it("ends a user's sessions: all, all but the one making the change, or those of one stage", async () => {
      const u = await stored(user());
      const other = await stored(user());
      const [keep, full, half] = [session(u.id), session(u.id), session(u.id, { stage: 'password' })];
      const theirs = session(other.id);
      for (const s of [keep, full, half, theirs]) await repos.insertSession(s);
      await repos.deleteUserSessions(u.id, undefined, 'full');
      expect(await repos.getSession(keep.idHash)).toBeUndefined();
      expect(await repos.getSession(full.idHash)).toBeUndefined();
      expect(await repos.getSession(half.idHash)).toEqual(half);
      const again = session(u.id);
      await repos.insertSession(again);
      await repos.deleteUserSessions(u.id, again.idHash);
      expect(await repos.getSession(half.idHash)).toBeUndefined();
      expect(await repos.getSession(again.idHash)).toEqual(again);
      await repos.deleteUserSessions(u.id);
      expect(await repos.getSession(again.idHash)).toBeUndefined();
      expect(await repos.getSession(theirs.idHash)).toEqual(theirs);
    });

    it('purges sessions idle too long or past their end, and counts them', async () => {
      const u = await stored(user());
      const at = now + 10_000_000;
      const idle = session(u.id, { lastSeenAt: at - 100, expiresAt: at + 1_000 });
      const ended = session(u.id, { lastSeenAt: at, expiresAt: at });
      const live = session(u.id, { lastSeenAt: at - 50, expiresAt: at + 1 });
      for (const s of [idle, ended, live]) await repos.insertSession(s);
      expect(await repos.purgeSessions(at - 50, at)).toBeGreaterThanOrEqual(2);
      expect(await repos.getSession(idle.idHash)).toBeUndefined();
      expect(await repos.getSession(ended.idHash)).toBeUndefined();
      expect(await repos.getSession(live.idHash)).toEqual(live);
    });

    it("hands out a session's WebAuthn challenge once, the latest one held", async () => {
      const u = await stored(user());
      const s = session(u.id);
      await repos.insertSession(s);
      expect(await repos.takeChallenge(s.idHash)).toBeUndefined();
      await repos.setChallenge(s.idHash, { purpose: 'register', challenge: 'first', expiresAt: now + 1 });
      await repos.setChallenge(s.idHash, { purpose: 'login', challenge: 'second', expiresAt: now + 2 });
      const [a, b] = await Promise.all([repos.takeChallenge(s.idHash), repos.takeChallenge(s.idHash)]);
      expect([a, b].filter((c) => c !== undefined)).toEqual([{ purpose: 'login', challenge: 'second', expiresAt: now + 2 }]);
      expect(await repos.takeChallenge(s.idHash)).toBeUndefined();
      expect(await repos.getSession(s.idHash)).toEqual(s);
      expect(await repos.takeChallenge('no such session')).toBeUndefined();
    });
  });

  describe('passkeys', () => {
    function passkey(userId: string, overrides: Partial<ConsolePasskeyRecord> = {}): ConsolePasskeyRecord {
      n++;
      return {
        id: `pk_contract${dialect}${String(n).padStart(6, '0')}`,
        userId,
        credentialId: `Y3JlZGVudGlhbC${dialect}${n}`,
        publicKey: 'pQECAyYgASFYIA',
        counter: 4_000_000_000,
        transports: ['usb', 'nfc'],
        name: 'Schlüssel 🔑',
        createdAt: now,
        lastUsedAt: null,
        ...overrides,
      };
    }

    it('keeps passkeys, lists a user’s own in id order, and finds one by its credential id once', async () => {
      const u = await stored(user());
      const b = passkey(u.id, { id: `pk_list${dialect}b`, transports: [] });
      const a = passkey(u.id, { id: `pk_list${dialect}a`, lastUsedAt: now + 9 });
      await repos.insertPasskey(b);
      await repos.insertPasskey(a);
      await repos.insertPasskey(passkey((await stored(user())).id));
      expect(await repos.listPasskeys(u.id)).toEqual([a, b]);
      expect(await repos.findPasskeyByCredentialId(b.credentialId)).toEqual(b);
      expect(await repos.findPasskeyByCredentialId('unknown')).toBeUndefined();
      await expect(repos.insertPasskey(passkey(u.id, { credentialId: a.credentialId }))).rejects.toThrow();
    });

    it('moves the signature counter only from the value read', async () => {
      const u = await stored(user());
      const p = passkey(u.id);
      await repos.insertPasskey(p);
      expect(await repos.recordPasskeyUse(p.id, p.counter, p.counter + 1, now + 1)).toBe(true);
      expect(await repos.recordPasskeyUse(p.id, p.counter, p.counter + 2, now + 2)).toBe(false);
      expect(await repos.findPasskeyByCredentialId(p.credentialId)).toEqual({ ...p, counter: p.counter + 1, lastUsedAt: now + 1 });
    });

    it("deletes only the user's own passkey, and says whether there was one", async () => {
      const u = await stored(user());
      const p = passkey(u.id);
      await repos.insertPasskey(p);
      expect(await repos.deletePasskey('usr_someoneElse', p.id)).toBe(false);
      expect(await repos.deletePasskey(u.id, p.id)).toBe(true);
      expect(await repos.deletePasskey(u.id, p.id)).toBe(false);
      expect(await repos.listPasskeys(u.id)).toEqual([]);
    });
  });

  it('counts the live keys of a workspace: not revoked, deleted, disabled or expired', async () => {
    const keys = new KeyService({ store: db.store, keyring: MemoryKeyring.generate(), clock, bus: new LocalInvalidationBus() });
    const ks = await keys.createKeyspace(actor, { name: 'overview', prefix: 'ov' });
    const before = await repos.countActiveKeys(actor.workspaceId!, now);
    const create = async (input: { expiresAt?: number; enabled?: boolean } = {}) =>
      (await keys.createKey(actor, { keyspaceId: ks.id, ...input })).record.id;
    await create();
    await create({ expiresAt: now + 60_000 });
    await create({ expiresAt: now + 1 });
    await create({ enabled: false });
    await keys.revokeKey(actor, await create());
    await keys.deleteKey(actor, await create());
    expect(await repos.countActiveKeys(actor.workspaceId!, now)).toBe(before + 3);
    expect(await repos.countActiveKeys(actor.workspaceId!, now + 1)).toBe(before + 2);
    expect(await repos.countActiveKeys('ws_other', now)).toBe(0);
  });

  it('is the same port inside a transaction, and a rolled-back one leaves nothing', async () => {
    const u = user();
    await expect(
      db.store.transaction(async (tx) => {
        await tx.console.insertUser(u);
        expect(await tx.console.getUser(u.id)).toEqual(u);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await repos.getUser(u.id)).toBeUndefined();
    await db.store.transaction((tx) => tx.console.insertUser(u));
    expect(await repos.getUser(u.id)).toEqual(u);
  });
});
