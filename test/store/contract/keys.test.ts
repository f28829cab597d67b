import {
  auditAppend,
  KeyService,
  LocalInvalidationBus,
  ManualClock,
  MemoryKeyring,
  RootKeyService,
  type Actor,
  type KeyListQuery,
} from '@tessera/core';

type KeyListState = NonNullable<KeyListQuery['state']>['is'];
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../support/databases.js';
import { fullKeyRecord, keyRecord, nextId, seedKeyspace, useDatabase } from './records.js';

/** The key port's contract, on SQLite and PostgreSQL. */
describe.each(DIALECTS)('key repos (%s)', (dialect) => {
  const database = useDatabase(dialect);
  let ws: { workspaceId: string; keyspaceId: string };
  beforeAll(async () => {
    ws = await seedKeyspace(database().store);
  });

  it('writes every field of a record and reads it back exactly, by id and by hash', async () => {
    const { store } = database();
    for (const record of [fullKeyRecord(ws), keyRecord(ws)]) {
      await store.insertKey(record);
      expect(await store.getKey(record.id)).toEqual(record);
      expect(await store.findKeyByHash(record.hash)).toEqual(record);
    }
    expect(await store.getKey('key_missing0000000000000000')).toBeUndefined();
    expect(await store.findKeyByHash('missing')).toBeUndefined();
  });

  it('refuses a second key with the same id or hash, and a key of no keyspace', async () => {
    const { store } = database();
    const record = keyRecord(ws);
    await store.insertKey(record);
    await expect(store.insertKey({ ...record, id: nextId('key') })).rejects.toThrow();
    await expect(store.insertKey({ ...keyRecord(ws), id: record.id })).rejects.toThrow();
    await expect(store.insertKey(keyRecord({ ...ws, keyspaceId: 'ks_missing00000000000000000' }))).rejects.toThrow();
  });

  it('lists the keys of one keyspace by id, without deleted ones, a page at a time, by owner when asked', async () => {
    const { store } = database();
    const own = await seedKeyspace(store);
    const other = await seedKeyspace(store);
    const made = [];
    for (let i = 0; i < 6; i++) made.push(keyRecord({ ...own, ownerId: i % 2 === 0 ? 'even' : 'odd' }));
    const deleted = keyRecord({ ...own, ownerId: 'even', deletedAt: 5_000 });
    // Written out of order: the listing orders them.
    for (const k of [...made].reverse()) await store.insertKey(k);
    await store.insertKey(deleted);
    await store.insertKey(keyRecord(other));
    const q = { workspaceId: own.workspaceId, keyspaceId: own.keyspaceId };
    const ids = made.map((k) => k.id);
    expect((await store.listKeys({ ...q, limit: 100 })).map((k) => k.id)).toEqual(ids);
    const first = await store.listKeys({ ...q, limit: 4 });
    const rest = await store.listKeys({ ...q, limit: 4, after: first.at(-1)!.id });
    expect(first.map((k) => k.id)).toEqual(ids.slice(0, 4));
    expect(rest.map((k) => k.id)).toEqual(ids.slice(4));
    expect(await store.listKeys({ ...q, limit: 4, after: ids.at(-1) })).toEqual([]);
    expect((await store.listKeys({ ...q, ownerId: 'even', limit: 100 })).map((k) => k.id)).toEqual([ids[0], ids[2], ids[4]]);
    expect(await store.listKeys({ ...q, ownerId: 'nobody', limit: 100 })).toEqual([]);
    // The keyspace must be the workspace's.
    expect(await store.listKeys({ workspaceId: other.workspaceId, keyspaceId: own.keyspaceId, limit: 100 })).toEqual([]);
    expect(await store.listKeys({ ...q, limit: 100 })).toEqual(made);
  });

  it('finds keys by text in their name, id, owner id or start, in any case, and by state at a time, a page at a time', async () => {
    const { store } = database();
    const own = await seedKeyspace(store);
    const q = { workspaceId: own.workspaceId, keyspaceId: own.keyspaceId, limit: 100 };
    const billing = keyRecord({ ...own, name: 'Billing worker', ownerId: 'team-pay', start: 'sk_live_Q7aa' });
    const percent = keyRecord({ ...own, name: '100% off_coupons', ownerId: 'Team-Growth', start: 'sk_live_Zz01' });
    const disabled = keyRecord({ ...own, name: 'billing backup', enabled: false, start: 'sk_live_b1b1' });
    const revoked = keyRecord({ ...own, name: 'Old billing', revokedAt: 2_000, start: 'sk_live_c2c2' });
    const expired = keyRecord({ ...own, name: 'Trial', expiresAt: 3_000, start: 'sk_live_d3d3' });
    const later = keyRecord({ ...own, name: 'Nightly', expiresAt: 9_000, start: 'sk_live_e4e4' });
    const all = [billing, percent, disabled, revoked, expired, later];
    for (const k of all) await store.insertKey(k);
    const ids = async (more: Partial<KeyListQuery>) => (await store.listKeys({ ...q, ...more })).map((k) => k.id);

    expect(await ids({ search: 'BILLING' })).toEqual([billing.id, disabled.id, revoked.id]);
    expect(await ids({ search: 'team-' })).toEqual([billing.id, percent.id]);
    // Long enough that no random id can hold it (`q7A` alone, in any case, turned up in one now and then).
    expect(await ids({ search: 'LIVE_q7A' })).toEqual([billing.id]);
    expect(await ids({ search: percent.id.slice(4, 14).toLowerCase() })).toEqual([percent.id]);
    // LIKE's wildcards are plain text: `%` and `_` find only themselves.
    expect(await ids({ search: '0% off_' })).toEqual([percent.id]);
    expect(await ids({ search: '%' })).toEqual([percent.id]);
    expect(await ids({ search: 'b_ll' })).toEqual([]);
    expect(await ids({ search: 'no such text' })).toEqual([]);

    const at = (is: KeyListState, now = 5_000) => ids({ state: { is, now } });
    expect(await at('active')).toEqual([billing.id, percent.id, later.id]);
    expect(await at('disabled')).toEqual([disabled.id]);
    expect(await at('revoked')).toEqual([revoked.id]);
    expect(await at('expired')).toEqual([expired.id]);
    expect(await at('expired', 9_000)).toEqual([expired.id, later.id]);
    expect(await ids({ search: 'billing', state: { is: 'active', now: 5_000 } })).toEqual([billing.id]);

    // Filters and pages together: the cursor goes on within the same narrowed listing.
    const first = await store.listKeys({ ...q, search: 'sk_live', state: { is: 'active', now: 5_000 }, limit: 2 });
    const rest = await store.listKeys({ ...q, search: 'sk_live', state: { is: 'active', now: 5_000 }, limit: 2, after: first.at(-1)!.id });
    expect([...first, ...rest].map((k) => k.id)).toEqual([billing.id, percent.id, later.id]);
    expect(rest).toHaveLength(1);

    // Without a keyspace: every keyspace of the workspace, and no other workspace's.
    const sibling = { workspaceId: own.workspaceId, keyspaceId: nextId('keyspace') };
    await store.insertKeyspace({
      id: sibling.keyspaceId,
      workspaceId: own.workspaceId,
      name: 'sibling',
      prefix: 'sb',
      recoverable: false,
      createdAt: 1_000,
    });
    const elsewhere = await seedKeyspace(store);
    const there = keyRecord({ ...sibling, name: 'Billing mirror' });
    await store.insertKey(there);
    await store.insertKey(keyRecord({ ...elsewhere, name: 'Billing of another workspace' }));
    const everywhere = await store.listKeys({ workspaceId: own.workspaceId, search: 'billing', limit: 100 });
    expect(everywhere.map((k) => k.id)).toEqual([billing.id, disabled.id, revoked.id, there.id]);
  });

  it('updates the fields given and no other, and bumps the version only when credits change', async () => {
    const { store } = database();
    const record = fullKeyRecord(ws);
    await store.insertKey({ ...record, deletedAt: null });
    await store.updateKey(record.id, { name: 'renamed', meta: null, expiresAt: null, enabled: true, updatedAt: 2_000 });
    const renamed = { ...record, deletedAt: null, name: 'renamed', meta: null, expiresAt: null, enabled: true, updatedAt: 2_000 };
    expect(await store.getKey(record.id)).toEqual(renamed);
    await store.updateKey(record.id, { credits: { remaining: 5, refill: null, refilledAt: null } });
    expect(await store.getKey(record.id)).toEqual({ ...renamed, credits: { remaining: 5, refill: null, refilledAt: null }, version: 8 });
    await store.updateKey(record.id, { credits: null, scopes: [], ipAllowlist: [], ratelimits: [] });
    expect(await store.getKey(record.id)).toMatchObject({ credits: null, scopes: [], ipAllowlist: [], ratelimits: [], version: 9 });
    await store.updateKey(record.id, { deletedAt: 3_000 });
    expect(await store.getKey(record.id)).toMatchObject({ deletedAt: 3_000, version: 9 });
    const before = await store.getKey(record.id);
    await store.updateKey(record.id, {});
    expect(await store.getKey(record.id)).toEqual(before);
  });

  it('restores a suspended key only while it is disabled, not deleted, and unchanged since the suspension', async () => {
    const { store } = database();
    const suspended = keyRecord({ ...ws, enabled: false, updatedAt: 5_000 });
    await store.insertKey(suspended);
    expect(await store.restoreSuspendedKey(suspended.id, { enabled: true, suspendedAt: 4_999, at: 6_000 })).toBe(false); // changed since
    expect(await store.restoreSuspendedKey(suspended.id, { enabled: true, suspendedAt: 5_000, at: 6_000 })).toBe(true);
    expect(await store.getKey(suspended.id)).toMatchObject({ enabled: true, updatedAt: 6_000 });
    expect(await store.restoreSuspendedKey(suspended.id, { enabled: true, suspendedAt: 9_000, at: 9_000 })).toBe(false); // enabled now
    const deleted = keyRecord({ ...ws, enabled: false, updatedAt: 5_000, deletedAt: 5_000 });
    await store.insertKey(deleted);
    expect(await store.restoreSuspendedKey(deleted.id, { enabled: true, suspendedAt: 5_000, at: 6_000 })).toBe(false);
    expect(await store.restoreSuspendedKey('key_missing0000000000000000', { enabled: true, suspendedAt: 5_000, at: 6_000 })).toBe(false);
    expect(await store.getKey(deleted.id)).toMatchObject({ enabled: false, updatedAt: 5_000 });
  });

  it('forgets an expiry the hygiene sweep scheduled, once, answering the expiry the key had before', async () => {
    const { store } = database();
    const notice = (subject: string, kind: string, data: unknown) =>
      sql`insert into monitoring_notices (kind, subject, workspace_id, created_at, data)
          values (${kind}, ${subject}, ${ws.workspaceId}, ${1_000}, ${JSON.stringify(data)})`.execute(store.kysely);
    const [a, b, c] = [keyRecord(ws), keyRecord(ws), keyRecord(ws)];
    for (const k of [a, b, c]) await store.insertKey(k);
    await notice(a.id, 'auto_expire', { previousExpiresAt: 1_234_567 });
    await notice(b.id, 'auto_expire', { previousExpiresAt: null });
    await notice(c.id, 'other_kind', { previousExpiresAt: 1 });
    expect(await store.forgetScheduledExpiry(a.id)).toEqual({ previousExpiresAt: 1_234_567 });
    expect(await store.forgetScheduledExpiry(a.id)).toBeUndefined();
    expect(await store.forgetScheduledExpiry(b.id)).toEqual({ previousExpiresAt: null });
    expect(await store.forgetScheduledExpiry(c.id)).toBeUndefined();
    const { rows } = await sql<{ subject: string }>`select subject from monitoring_notices where subject = ${c.id}`.execute(store.kysely);
    expect(rows).toHaveLength(1);
  });

  it('revokes every live key of an owner in one write, by id, and no key of another owner or workspace', async () => {
    const { store } = database();
    const other = await seedKeyspace(store);
    const live = [keyRecord({ ...ws, ownerId: 'bulk' }), keyRecord({ ...ws, ownerId: 'bulk' }), keyRecord({ ...ws, ownerId: 'bulk' })];
    const revoked = keyRecord({ ...ws, ownerId: 'bulk', revokedAt: 500, revokeReason: 'before' });
    const deleted = keyRecord({ ...ws, ownerId: 'bulk', deletedAt: 500 });
    const otherOwner = keyRecord({ ...ws, ownerId: 'someone' });
    const otherWorkspace = keyRecord({ ...other, ownerId: 'bulk' });
    for (const k of [...live].reverse().concat(revoked, deleted, otherOwner, otherWorkspace)) await store.insertKey(k);
    const out = await store.revokeLiveKeysByOwner(ws.workspaceId, 'bulk', { at: 7_000, reason: 'offboarded' });
    const expected = live.map((k) => ({ ...k, revokedAt: 7_000, revokeReason: 'offboarded', updatedAt: 7_000 }));
    expect(out).toEqual(expected);
    for (const k of expected) expect(await store.getKey(k.id)).toEqual(k);
    for (const k of [revoked, deleted, otherOwner, otherWorkspace]) expect(await store.getKey(k.id)).toEqual(k);
    expect(await store.revokeLiveKeysByOwner(ws.workspaceId, 'bulk', { at: 8_000, reason: null })).toEqual([]);
  });

  it('revokes a key once, with one audit entry, when revocations race', async () => {
    const { store } = database();
    const record = keyRecord(ws);
    await store.insertKey(record);
    const head = await store.auditHead();
    const actor = { id: 'system', workspaceId: ws.workspaceId, ip: null };
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        store.changeKey(
          {
            id: record.id,
            workspaceId: ws.workspaceId,
            set: { revokedAt: 9_000 + i, revokeReason: `r${i}`, updatedAt: 9_000 + i },
            unlessRevoked: true,
          },
          auditAppend(new ManualClock(), actor, { action: 'key.revoked', target: record.id }),
        ),
      ),
    );
    const won = outcomes.filter((o) => o !== undefined);
    expect(won).toHaveLength(1);
    expect(await store.getKey(record.id)).toEqual(won[0]!.key);
    expect((await store.auditHead()).seq).toBe(head.seq + 1);
  });

  describe('through the key service', () => {
    let keys: KeyService;
    let actor: Actor;
    let keyspaceId: string;
    const clock = new ManualClock();
    const keyring = MemoryKeyring.generate();

    beforeAll(async () => {
      const deps = { store: database().store, keyring, clock, bus: new LocalInvalidationBus() };
      const root = await new RootKeyService(deps).bootstrap();
      actor = { id: `root_key:${root.record.id}`, workspaceId: root.record.workspaceId, ip: '127.0.0.1' };
      keys = new KeyService(deps);
      keyspaceId = (await keys.createKeyspace(actor, { name: 'contract', prefix: 'ct' })).id;
    });

    it('stores a key record and reads it back exactly, by id and by hash', async () => {
      const { store } = database();
      const { record } = await keys.createKey(actor, {
        keyspaceId,
        ownerId: 'o1',
        name: 'n',
        scopes: ['a', 'b:*'],
        meta: { nested: { list: [1, 'two', null] }, unicode: 'żółw 🐢' },
        environment: 'live',
        expiresAt: clock.now() + 86_400_000,
        ipAllowlist: ['10.0.0.0/8'],
        ratelimits: [{ name: 'r', limit: 5, windowMs: 1000 }],
        credits: { remaining: 9_000_000_000, refill: { amount: 100, intervalSeconds: 60 } },
      });
      expect(await store.getKey(record.id)).toEqual(record);
      expect(await store.findKeyByHash(record.hash)).toEqual(record);
      expect(await store.findKeyByHash('missing')).toBeUndefined();
    });

    it('pages through keys in creation order, filtered by owner', async () => {
      const { store } = database();
      const ks = await keys.createKeyspace(actor, { name: 'paging', prefix: 'pp' });
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) {
        clock.advance(1);
        ids.push((await keys.createKey(actor, { keyspaceId: ks.id, ownerId: i % 2 === 0 ? 'even' : 'odd' })).record.id);
      }
      const first = await store.listKeys({ workspaceId: actor.workspaceId!, keyspaceId: ks.id, limit: 3 });
      const rest = await store.listKeys({ workspaceId: actor.workspaceId!, keyspaceId: ks.id, limit: 10, after: first[2]!.id });
      expect([...first, ...rest].map((k) => k.id)).toEqual(ids);
      const even = await store.listKeys({ workspaceId: actor.workspaceId!, keyspaceId: ks.id, ownerId: 'even', limit: 10 });
      expect(even).toHaveLength(4);
    });

    it('orders ids by creation time in byte order, across the upper/lower-case boundary', async () => {
      const { store } = database();
      if (dialect === 'postgres') {
        const { rows } = await sql<{ collation: string | null }>`
          select collation_name as collation from information_schema.columns
          where table_schema = current_schema() and table_name = 'keys' and column_name = 'id'`.execute(store.kysely);
        expect(rows[0]!.collation).toBe('C');
      }
      const ks = await keys.createKeyspace(actor, { name: 'case', prefix: 'cs' });
      // The id's last time character goes Y → Z → a → b: ASCII order, not dictionary order.
      clock.set(clock.now() - (clock.now() % 62) + 62 + 34);
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) {
        ids.push((await keys.createKey(actor, { keyspaceId: ks.id })).record.id);
        clock.advance(1);
      }
      expect(ids.map((id) => id[11])).toEqual(['Y', 'Z', 'a', 'b']);
      const listed = await store.listKeys({ workspaceId: actor.workspaceId!, keyspaceId: ks.id, limit: 10 });
      expect(listed.map((k) => k.id)).toEqual(ids);
    });
  });
});
