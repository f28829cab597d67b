import {
  appendAudit,
  AuditCheckpointer,
  KeyService,
  LocalInvalidationBus,
  ManualClock,
  MemoryKeyring,
  RootKeyService,
  verifyAuditChain,
  verifyAuditLog,
  type Actor,
} from '@tessera/core';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';

/** One contract, every backend: the same behaviour on SQLite and PostgreSQL. */
describe.each(DIALECTS)('store contract (%s)', (dialect) => {
  let db: TestDatabase;
  let keys: KeyService;
  let actor: Actor;
  let keyspaceId: string;
  const clock = new ManualClock();
  const keyring = MemoryKeyring.generate();

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    const deps = { store: db.store, keyring, clock, bus: new LocalInvalidationBus() };
    const root = await new RootKeyService(deps).bootstrap();
    actor = { id: `root_key:${root.record.id}`, workspaceId: root.record.workspaceId, ip: '127.0.0.1' };
    keys = new KeyService(deps);
    keyspaceId = (await keys.createKeyspace(actor, { name: 'contract', prefix: 'ct' })).id;
  });
  afterAll(() => db.drop());

  it('stores a key record and reads it back exactly, by id and by hash', async () => {
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
    expect(await db.store.getKey(record.id)).toEqual(record);
    expect(await db.store.findKeyByHash(record.hash)).toEqual(record);
    expect(await db.store.findKeyByHash('missing')).toBeUndefined();
  });

  it('pages through keys in creation order, filtered by owner', async () => {
    const ks = await keys.createKeyspace(actor, { name: 'paging', prefix: 'pp' });
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      clock.advance(1);
      ids.push((await keys.createKey(actor, { keyspaceId: ks.id, ownerId: i % 2 === 0 ? 'even' : 'odd' })).record.id);
    }
    const first = await db.store.listKeys({ workspaceId: actor.workspaceId!, keyspaceId: ks.id, limit: 3 });
    const rest = await db.store.listKeys({ workspaceId: actor.workspaceId!, keyspaceId: ks.id, limit: 10, after: first[2]!.id });
    expect([...first, ...rest].map((k) => k.id)).toEqual(ids);
    const even = await db.store.listKeys({ workspaceId: actor.workspaceId!, keyspaceId: ks.id, ownerId: 'even', limit: 10 });
    expect(even).toHaveLength(4);
  });

  it('orders ids by creation time in byte order, across the upper/lower-case boundary', async () => {
    if (dialect === 'postgres') {
      const { rows } = await sql<{ collation: string | null }>`
        select collation_name as collation from information_schema.columns
        where table_schema = current_schema() and table_name = 'keys' and column_name = 'id'`.execute(db.store.kysely);
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
    const listed = await db.store.listKeys({ workspaceId: actor.workspaceId!, keyspaceId: ks.id, limit: 10 });
    expect(listed.map((k) => k.id)).toEqual(ids);
  });

  it('writes a change and its audit entry together, or neither', async () => {
    const { record } = await keys.createKey(actor, { keyspaceId });
    const before = (await db.store.auditHead()).seq;
    await expect(
      db.store.transaction(async (tx) => {
        await tx.updateKey(record.id, { name: 'changed' });
        await appendAudit(tx, clock, actor, { action: 'key.updated', target: record.id });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect((await db.store.getKey(record.id))!.name).toBeNull();
    expect((await db.store.auditHead()).seq).toBe(before);
  });

  it('hashes an appended entry as the chain check does, whatever its details hold (the store may number and hash it itself)', async () => {
    const awkward = [
      { nested: { seq: 0, target: 'x', list: [{ seq: 1 }] }, text: '"seq":0,"target":' },
      { unicode: 'żółw 🐢 \u0000 \\ "quoted"', empty: {}, arr: [] },
      {},
    ];
    const written = [];
    for (const details of awkward)
      written.push(
        await db.store.transaction((tx) =>
          appendAudit(tx, clock, { ...actor, ip: null }, { action: 'key.updated', target: null, details }),
        ),
      );
    for (const e of written)
      expect((await db.store.scanAudit(e.seq, 1))[0]).toMatchObject({ seq: e.seq, hash: e.hash, prevHash: e.prevHash });
    expect(written[1]!.prevHash).toBe(written[0]!.hash);
    expect((await verifyAuditChain(db.store)).ok).toBe(true);
  });

  it('revokes one live key in one write, and nothing when it is revoked already, deleted or of another workspace', async () => {
    const { record } = await keys.createKey(actor, { keyspaceId });
    expect(await db.store.revokeKey(record.id, 'ws_other', { at: clock.now(), reason: null })).toBeUndefined();
    const revoked = await db.store.revokeKey(record.id, actor.workspaceId!, { at: clock.now(), reason: 'leaked' });
    expect(revoked).toMatchObject({ id: record.id, revokedAt: clock.now(), revokeReason: 'leaked' });
    expect(await db.store.getKey(record.id)).toEqual(revoked);
    expect(await db.store.revokeKey(record.id, actor.workspaceId!, { at: clock.now() + 1, reason: 'again' })).toBeUndefined();
  });

  it('gives concurrent appends gap-free sequence numbers', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => keys.createKey(actor, { keyspaceId, name: `c${i}` })));
    const report = await verifyAuditChain(db.store);
    expect(report).toMatchObject({ ok: true });
    expect(report.checked).toBe((await db.store.auditHead()).seq);
  });

  it('writes usage in batches, and drops credit writes that raced with a management change', async () => {
    const { record } = await keys.createKey(actor, { keyspaceId, credits: { remaining: 10 } });
    await db.store.applyUsage([
      { keyId: record.id, lastUsedAt: 123, count: 3, credits: { remaining: 7, refilledAt: null, version: record.version } },
    ]);
    let k = (await db.store.getKey(record.id))!;
    expect([k.usageCount, k.lastUsedAt, k.credits!.remaining]).toEqual([3, 123, 7]);
    await keys.updateKey(actor, record.id, { name: 'renamed' }); // not credits: version unchanged
    await db.store.applyUsage([
      { keyId: record.id, lastUsedAt: 124, count: 1, credits: { remaining: 6, refilledAt: null, version: record.version } },
    ]);
    expect((await db.store.getKey(record.id))!.credits!.remaining).toBe(6);
    await keys.updateKey(actor, record.id, { credits: { remaining: 50 } });
    await db.store.applyUsage([
      { keyId: record.id, lastUsedAt: 125, count: 1, credits: { remaining: 5, refilledAt: null, version: record.version } },
    ]);
    k = (await db.store.getKey(record.id))!;
    expect(k.credits!.remaining).toBe(50);
    expect(k.usageCount).toBe(5);
  });

  describe('audit chain verification names the first bad entry', () => {
    /** A fresh database with a chain of about ten entries, and a way to tamper with its rows. */
    const tamperable = async () => {
      const t = await createTestDatabase(dialect);
      const deps = { store: t.store, keyring, clock, bus: new LocalInvalidationBus() };
      const root = await new RootKeyService(deps).bootstrap();
      const a: Actor = { id: `root_key:${root.record.id}`, workspaceId: root.record.workspaceId, ip: null };
      const service = new KeyService(deps);
      const ks = await service.createKeyspace(a, { name: 'chain', prefix: 'ch' });
      for (let i = 0; i < 6; i++) await service.createKey(a, { keyspaceId: ks.id, name: `k${i}` });
      expect(await verifyAuditChain(t.store)).toMatchObject({ ok: true, checked: 9 });
      const table = t.schema ? `${t.schema}.audit_log` : 'audit_log';
      const exec = (q: string) => sql.raw(q.replaceAll('audit_log', table)).execute(t.store.kysely);
      return { t, exec, append: () => service.createKey(a, { keyspaceId: ks.id, name: 'later' }) };
    };

    /** The store, but every scan that reaches the end of the log lets another writer append one entry first. */
    const racing = (store: TestDatabase['store'], append: () => Promise<unknown>) =>
      new Proxy(store, {
        get(target, name, receiver) {
          if (name !== 'scanAudit') return Reflect.get(target, name, receiver);
          return async (fromSeq: number, limit: number) => {
            const page = await target.scanAudit(fromSeq, limit);
            if (page.length < limit) await append();
            return page;
          };
        },
      });

    it('takes an entry appended while it checks for the next check, not for a removal', async () => {
      const { t, append } = await tamperable();
      expect(await verifyAuditChain(racing(t.store, append), 4)).toEqual({ ok: true, checked: 9 });
      expect(await verifyAuditChain(t.store)).toEqual({ ok: true, checked: 10 });
      // With a checkpoint written meanwhile too, and its entries checked by the run after.
      const checkpointer = new AuditCheckpointer({ store: t.store, keyring, clock });
      const appendAndSign = async () => {
        await append();
        await checkpointer.checkpoint();
      };
      const report = await verifyAuditLog({ store: racing(t.store, appendAndSign), keyring, clock }, { pageSize: 4 });
      expect(report).toMatchObject({ ok: true, checked: 10, checkpoints: { checked: 0, unsignedEntries: 10 } });
      expect(await verifyAuditLog({ store: t.store, keyring, clock })).toMatchObject({
        ok: true,
        checked: 11,
        checkpoints: { checked: 1, lastSignedSeq: 11, unsignedEntries: 0 },
      });
      await t.drop();
    });

    it('detects a changed entry', async () => {
      const { t, exec } = await tamperable();
      await exec(`update audit_log set details = '{"reason":"forged"}' where seq = 5`);
      expect(await verifyAuditChain(t.store)).toMatchObject({ ok: false, firstBadSeq: 5, reason: 'entry changed', checked: 4 });
      await t.drop();
    });

    it('detects a removed entry', async () => {
      const { t, exec } = await tamperable();
      await exec(`delete from audit_log where seq = 5`);
      expect(await verifyAuditChain(t.store)).toMatchObject({ ok: false, firstBadSeq: 5, reason: 'entry missing' });
      await t.drop();
    });

    it('detects entries removed from the end', async () => {
      const { t, exec } = await tamperable();
      await exec(`delete from audit_log where seq = 9`);
      expect(await verifyAuditChain(t.store)).toMatchObject({ ok: false, firstBadSeq: 9 });
      await t.drop();
    });

    it('detects reordered entries', async () => {
      const { t, exec } = await tamperable();
      await exec(`update audit_log set seq = -1 where seq = 4`);
      await exec(`update audit_log set seq = 4 where seq = 5`);
      await exec(`update audit_log set seq = 5 where seq = -1`);
      expect(await verifyAuditChain(t.store)).toMatchObject({ ok: false, firstBadSeq: 4 });
      await t.drop();
    });
  });
});
