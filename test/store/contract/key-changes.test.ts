import {
  appendAudit,
  auditAppend,
  auditHash,
  KeyService,
  LocalInvalidationBus,
  ManualClock,
  MemoryKeyring,
  RootKeyService,
  verifyAuditChain,
  type Actor,
  type AuditDraft,
  type KeyChange,
} from '@tessera/core';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { keyRecord, seedKeyspace, useDatabase } from './records.js';

/**
 * `changeKey`, on SQLite and PostgreSQL: a key's change, its forgotten hygiene expiry and its audit
 * entry as one write (on PostgreSQL one statement, no transaction around it).
 */
describe.each(['sqlite', 'postgres'] as const)('key changes with their audit entry (%s)', (dialect) => {
  const database = useDatabase(dialect);
  const clock = new ManualClock();
  const actor: Actor = { id: 'root_key:rk_contract', workspaceId: null, ip: '192.0.2.7' };
  let ws: { workspaceId: string; keyspaceId: string };
  let as: Actor;
  beforeAll(async () => {
    ws = await seedKeyspace(database().store);
    as = { ...actor, workspaceId: ws.workspaceId };
  });
  const revocation = (id: string, at: number, reason: string | null = null): KeyChange => ({
    id,
    workspaceId: ws.workspaceId,
    set: { revokedAt: at, revokeReason: reason, updatedAt: at },
    unlessRevoked: true,
  });
  const entry = (draft: AuditDraft) => auditAppend(clock, as, draft);

  it('writes the change and an entry that the chain check accepts; forgets a scheduled expiry; answers the key as it is now', async () => {
    const { store } = database();
    const record = keyRecord(ws);
    await store.insertKey(record);
    await sql`insert into monitoring_notices (kind, subject, workspace_id, created_at, data)
      values ('auto_expire', ${record.id}, ${ws.workspaceId}, ${1_000}, ${'{"previousExpiresAt":null}'})`.execute(store.kysely);
    const before = await store.auditHead();
    const details = { reason: 'leaked', nested: { seq: 0, target: 'x' }, text: '"seq":0,"target":' };
    const audit = entry({ action: 'key.revoked', target: record.id, details });
    const done = (await store.changeKey(revocation(record.id, 7_000, 'leaked'), audit))!;
    expect(done.key).toEqual({ ...record, revokedAt: 7_000, revokeReason: 'leaked', updatedAt: 7_000 });
    expect(await store.getKey(record.id)).toEqual(done.key);
    const written = { ...audit.entry, seq: before.seq + 1, prevHash: before.hash, hash: done.audit.hash };
    expect(done.audit).toEqual({
      seq: before.seq + 1,
      prevHash: before.hash,
      hash: auditHash(before.hash, { ...audit.entry, seq: before.seq + 1 }),
    });
    expect(await store.scanAudit(before.seq + 1, 10)).toEqual([written]);
    expect(await store.auditHead()).toEqual({ seq: before.seq + 1, hash: done.audit.hash });
    expect(await store.forgetScheduledExpiry(record.id)).toBeUndefined();
    expect(done.phases.writeMs).toBeGreaterThanOrEqual(0);
    expect(done.phases.auditMs).toBeGreaterThanOrEqual(0);
    expect((await verifyAuditChain(store)).ok).toBe(true);
  });

  it('writes nothing, not even the entry, for a key revoked already, deleted, missing or of another workspace', async () => {
    const { store } = database();
    const revoked = keyRecord({ ...ws, revokedAt: 500, revokeReason: 'before' });
    const deleted = keyRecord({ ...ws, deletedAt: 500 });
    const live = keyRecord(ws);
    for (const k of [revoked, deleted, live]) await store.insertKey(k);
    const head = await store.auditHead();
    const draft = { action: 'key.revoked', target: null } as const;
    expect(await store.changeKey(revocation(revoked.id, 9_000), entry(draft))).toBeUndefined();
    expect(await store.changeKey({ id: deleted.id, workspaceId: ws.workspaceId, set: { name: 'x' } }, entry(draft))).toBeUndefined();
    expect(await store.changeKey(revocation('key_missing0000000000000000', 9_000), entry(draft))).toBeUndefined();
    expect(await store.changeKey({ ...revocation(live.id, 9_000), workspaceId: 'ws_other' }, entry(draft))).toBeUndefined();
    for (const k of [revoked, deleted, live]) expect(await store.getKey(k.id)).toEqual(k);
    expect(await store.auditHead()).toEqual(head);
  });

  it('leaves the key unrevoked and the head where it was when the audit part fails', async () => {
    const { store } = database();
    const record = keyRecord(ws);
    await store.insertKey(record);
    const head = await store.auditHead();
    const [last] = await store.scanAudit(head.seq, 1);
    // An entry whose id is taken: the key is written first, then the entry fails.
    const audit = entry({ action: 'key.revoked', target: record.id });
    await expect(store.changeKey(revocation(record.id, 9_500), { ...audit, entry: { ...audit.entry, id: last!.id } })).rejects.toThrow();
    expect(await store.getKey(record.id)).toEqual(record);
    expect(await store.auditHead()).toEqual(head);
  });

  it('updates any field of a live or revoked key, bumping the version only with credits; in a transaction it is part of it', async () => {
    const { store } = database();
    const record = keyRecord({ ...ws, revokedAt: 500, revokeReason: 'old' });
    await store.insertKey(record);
    const named = await store.changeKey(
      { id: record.id, workspaceId: ws.workspaceId, set: { name: 'renamed', enabled: false, updatedAt: 8_000 } },
      entry({ action: 'key.updated', target: record.id, details: { changed: ['name', 'enabled'] } }),
    );
    expect(named!.key).toEqual({ ...record, name: 'renamed', enabled: false, updatedAt: 8_000 });
    const credited = await store.changeKey(
      { id: record.id, workspaceId: ws.workspaceId, set: { credits: { remaining: 5, refill: null, refilledAt: null } } },
      entry({ action: 'key.updated', target: record.id }),
    );
    expect(credited!.key).toMatchObject({ credits: { remaining: 5, refill: null, refilledAt: null }, version: record.version + 1 });
    const head = await store.auditHead();
    await expect(
      store.transaction(async (tx) => {
        expect(
          await tx.changeKey(
            { id: record.id, workspaceId: ws.workspaceId, set: { name: 'never' } },
            entry({ action: 'key.updated', target: null }),
          ),
        ).toMatchObject({ key: { name: 'never' } });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await store.getKey(record.id)).toEqual(credited!.key);
    expect(await store.auditHead()).toEqual(head);
  });

  it('keeps the chain whole and each key revoked once under concurrent revocations, usage batches and other audited writes', async () => {
    const { store } = database();
    const deps = { store, keyring: MemoryKeyring.generate(), clock, bus: new LocalInvalidationBus() };
    const root = await new RootKeyService(deps).bootstrap();
    const admin: Actor = { id: `root_key:${root.record.id}`, workspaceId: root.record.workspaceId, ip: null };
    const keys = new KeyService(deps);
    const ks = await keys.createKeyspace(admin, { name: 'race', prefix: 'rc' });
    const made = await Promise.all(
      Array.from({ length: 12 }, (_, i) => keys.createKey(admin, { keyspaceId: ks.id, ownerId: `o${i % 3}` })),
    );
    const ids = made.map((m) => m.record.id);
    const seqBefore = (await store.auditHead()).seq;
    const work: Promise<unknown>[] = [];
    for (let i = 0; i < 12; i++) {
      // Each key revoked three times at once; a usage batch over every key in between; other audited changes.
      for (let j = 0; j < 3; j++) work.push(keys.revokeKey(admin, ids[i]!, `r${i}.${j}`));
      work.push(store.applyUsage(ids.map((keyId, n) => ({ keyId, lastUsedAt: 20_000 + i, count: 1 + n }))));
      if (i % 3 === 0) work.push(keys.createKey(admin, { keyspaceId: ks.id, name: `new${i}` }));
      if (i % 4 === 1) work.push(store.transaction((tx) => appendAudit(tx, clock, admin, { action: 'keyring.rotated', target: null })));
      if (i % 4 === 2) work.push(keys.revokeByOwner(admin, `o${i % 3}`, 'owner gone'));
    }
    await Promise.all(work);
    const report = await verifyAuditChain(store);
    const head = await store.auditHead();
    expect(report).toEqual({ ok: true, checked: head.seq });
    const entries = await store.scanAudit(seqBefore + 1, 1000);
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, n) => seqBefore + 1 + n));
    // Every key revoked exactly once: by its own revocation or by its owner's.
    const revokedAlone = entries.filter((e) => e.action === 'key.revoked').map((e) => e.target!);
    const byOwner = entries.filter((e) => e.action === 'keys.revoked_by_owner').flatMap((e) => e.details.keyIds as string[]);
    expect([...revokedAlone, ...byOwner].sort()).toEqual([...ids].sort());
    for (const id of ids) expect((await store.getKey(id))!.revokedAt).not.toBeNull();
    expect(entries.filter((e) => e.action === 'key.created')).toHaveLength(4);
    expect(entries.filter((e) => e.action === 'keyring.rotated')).toHaveLength(3);
  });
});
