import {
  appendAudit,
  auditHash,
  AuditCheckpointer,
  GENESIS_HASH,
  KeyService,
  LocalInvalidationBus,
  ManualClock,
  MemoryKeyring,
  RootKeyService,
  verifyAuditChain,
  verifyAuditLog,
  type Actor,
  type AuditRecord,
} from '@tessera/core';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../support/databases.js';
import { nextId, useDatabase } from './records.js';

/** The audit chain's port, on SQLite and PostgreSQL. */
describe.each(DIALECTS)('audit repos (%s)', (dialect) => {
  const database = useDatabase(dialect);
  const clock = new ManualClock();
  const keyring = MemoryKeyring.generate();

  /** An entry that follows `head`, hashed as the chain check does. */
  const entryAfter = (head: { seq: number; hash: string }, over: Partial<AuditRecord> = {}): AuditRecord => {
    const body = {
      seq: head.seq + 1,
      id: nextId('audit'),
      ts: clock.now(),
      workspaceId: null,
      actor: 'system',
      action: 'keyring.rotated',
      target: null,
      ip: null,
      details: {},
      ...over,
    };
    return { ...body, prevHash: head.hash, hash: auditHash(head.hash, body) };
  };

  it('starts at the genesis head; appends only inside a transaction, each entry moving the head', async () => {
    const t = await createTestDatabase(dialect);
    try {
      const { store } = t;
      expect(await store.auditHead()).toEqual({ seq: 0, hash: GENESIS_HASH });
      expect(await store.scanAudit(1, 10)).toEqual([]);
      await expect(store.appendAudit(entryAfter({ seq: 0, hash: GENESIS_HASH }))).rejects.toThrow(/inside a transaction/);
      const written: AuditRecord[] = [];
      for (let i = 0; i < 3; i++)
        written.push(
          await store.transaction(async (tx) => {
            const e = entryAfter(await tx.auditHead(), { details: { i }, workspaceId: 'ws_a', ip: '192.0.2.1', target: `t${i}` });
            await tx.appendAudit(e);
            return e;
          }),
        );
      expect(await store.auditHead()).toEqual({ seq: 3, hash: written[2]!.hash });
      expect(await store.scanAudit(1, 10)).toEqual(written);
      expect((await verifyAuditChain(store)).ok).toBe(true);
    } finally {
      await t.drop();
    }
  });

  it('offers to number and hash an entry itself only where it can (PostgreSQL, in a transaction), as the chain check does', async () => {
    const { store } = database();
    expect(store.appendAuditAround).toBeUndefined();
    await store.transaction(async (tx) => {
      expect(tx.appendAuditAround !== undefined).toBe(dialect === 'postgres');
    });
  });

  it('lists entries newest first, a page at a time, filtered by workspace, action, actor and target', async () => {
    const { store } = database();
    const ws = nextId('workspace');
    const actors: Actor[] = [
      { id: 'root_key:rk_one', workspaceId: ws, ip: '192.0.2.1' },
      { id: 'user:usr_two', workspaceId: ws, ip: null },
    ];
    const mine: AuditRecord[] = [];
    for (let i = 0; i < 6; i++) {
      clock.advance(1);
      mine.push(
        await store.transaction((tx) =>
          appendAudit(tx, clock, actors[i % 2]!, { action: i < 3 ? 'key.created' : 'key.revoked', target: `k${i}`, details: { i } }),
        ),
      );
    }
    await store.transaction((tx) =>
      appendAudit(tx, clock, { id: 'system', workspaceId: null, ip: null }, { action: 'key.created', target: null }),
    );
    const newest = [...mine].reverse();
    expect(await store.listAudit({ workspaceId: ws, limit: 100 })).toEqual(newest);
    const page = await store.listAudit({ workspaceId: ws, limit: 4 });
    expect(page).toEqual(newest.slice(0, 4));
    expect(await store.listAudit({ workspaceId: ws, limit: 4, beforeSeq: page.at(-1)!.seq })).toEqual(newest.slice(4));
    expect(await store.listAudit({ workspaceId: ws, action: 'key.revoked', limit: 100 })).toEqual(newest.slice(0, 3));
    expect(await store.listAudit({ workspaceId: ws, actor: 'user:usr_two', limit: 100 })).toEqual(newest.filter((_, i) => i % 2 === 0));
    expect(await store.listAudit({ workspaceId: ws, action: 'key.created', actor: 'root_key:rk_one', limit: 100 })).toEqual([
      mine[2],
      mine[0],
    ]);
    expect(await store.listAudit({ workspaceId: ws, action: 'no.such', limit: 100 })).toEqual([]);
    // Without a workspace: every entry, this one's and the instance's.
    const all = await store.listAudit({ limit: 3 });
    expect(all.map((e) => e.seq)).toEqual([0, 1, 2].map((d) => all[0]!.seq - d));
    expect(all[0]).toMatchObject({ workspaceId: null, actor: 'system' });
    // By target: one key's history, newest first, a page at a time, with the other filters.
    clock.advance(1);
    const later = await store.transaction((tx) =>
      appendAudit(tx, clock, actors[0]!, { action: 'key.updated', target: 'k3', details: { changed: ['name'] } }),
    );
    expect(await store.listAudit({ workspaceId: ws, target: 'k3', limit: 100 })).toEqual([later, mine[3]]);
    expect(await store.listAudit({ workspaceId: ws, target: 'k3', limit: 1 })).toEqual([later]);
    expect(await store.listAudit({ workspaceId: ws, target: 'k3', limit: 1, beforeSeq: later.seq })).toEqual([mine[3]]);
    expect(await store.listAudit({ workspaceId: ws, target: 'k3', action: 'key.revoked', limit: 100 })).toEqual([mine[3]]);
    expect(await store.listAudit({ workspaceId: ws, target: 'k3', actor: 'root_key:rk_one', limit: 100 })).toEqual([later]);
    expect(await store.listAudit({ workspaceId: nextId('workspace'), target: 'k3', limit: 100 })).toEqual([]);
    expect(await store.listAudit({ workspaceId: ws, target: 'k9', limit: 100 })).toEqual([]);
  });

  it('scans entries in sequence order from a given one, at most as many as asked', async () => {
    const { store } = database();
    for (let i = 0; i < 5; i++)
      await store.transaction((tx) =>
        appendAudit(tx, clock, { id: 'system', workspaceId: null, ip: null }, { action: 'key.created', target: null }),
      );
    const head = await store.auditHead();
    const from = head.seq - 4;
    const scanned = await store.scanAudit(from, 3);
    expect(scanned.map((e) => e.seq)).toEqual([from, from + 1, from + 2]);
    expect(scanned[1]!.prevHash).toBe(scanned[0]!.hash);
    expect((await store.scanAudit(head.seq, 10)).map((e) => e.seq)).toEqual([head.seq]);
    expect(await store.scanAudit(head.seq + 1, 10)).toEqual([]);
    expect(await store.listAudit({ limit: 5 })).toEqual((await store.scanAudit(from, 5)).reverse());
  });

  describe('through the key service', () => {
    let keys: KeyService;
    let actor: Actor;
    let keyspaceId: string;

    beforeAll(async () => {
      const deps = { store: database().store, keyring, clock, bus: new LocalInvalidationBus() };
      const root = await new RootKeyService(deps).bootstrap();
      actor = { id: `root_key:${root.record.id}`, workspaceId: root.record.workspaceId, ip: '127.0.0.1' };
      keys = new KeyService(deps);
      keyspaceId = (await keys.createKeyspace(actor, { name: 'contract', prefix: 'ct' })).id;
    });

    it('writes a change and its audit entry together, or neither', async () => {
      const { store } = database();
      const { record } = await keys.createKey(actor, { keyspaceId });
      const before = (await store.auditHead()).seq;
      await expect(
        store.transaction(async (tx) => {
          await tx.updateKey(record.id, { name: 'changed' });
          await appendAudit(tx, clock, actor, { action: 'key.updated', target: record.id });
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect((await store.getKey(record.id))!.name).toBeNull();
      expect((await store.auditHead()).seq).toBe(before);
    });

    it('hashes an appended entry as the chain check does, whatever its details hold (the store may number and hash it itself)', async () => {
      const { store } = database();
      const awkward = [
        { nested: { seq: 0, target: 'x', list: [{ seq: 1 }] }, text: '"seq":0,"target":' },
        { unicode: 'żółw 🐢 \u0000 \\ "quoted"', empty: {}, arr: [] },
        {},
      ];
      const written = [];
      for (const details of awkward)
        written.push(
          await store.transaction((tx) => appendAudit(tx, clock, { ...actor, ip: null }, { action: 'key.updated', target: null, details })),
        );
      for (const e of written)
        expect((await store.scanAudit(e.seq, 1))[0]).toMatchObject({ seq: e.seq, hash: e.hash, prevHash: e.prevHash });
      expect(written[1]!.prevHash).toBe(written[0]!.hash);
      expect((await verifyAuditChain(store)).ok).toBe(true);
    });

    it('gives concurrent appends gap-free sequence numbers', async () => {
      const { store } = database();
      await Promise.all(Array.from({ length: 20 }, (_, i) => keys.createKey(actor, { keyspaceId, name: `c${i}` })));
      const report = await verifyAuditChain(store);
      expect(report).toMatchObject({ ok: true });
      expect(report.checked).toBe((await store.auditHead()).seq);
    });
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
