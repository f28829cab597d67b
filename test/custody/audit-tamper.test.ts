import { auditHash, ManualClock } from '@tessera/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

describe.each(DIALECTS)('signed audit checkpoints and tamper detection (%s)', (dialect) => {
  let s: TestServer;
  const clock = new ManualClock();
  type Row = Record<string, unknown>;
  let snapshot: { log: Row[]; head: Row[]; checkpoints: Row[] };
  let c1: number; // the first signed checkpoint's entry
  let c2: number; // the second one's
  const db = () => s.db.store.kysely;

  beforeAll(async () => {
    s = await startTestServer(dialect, { clock });
    const ks = await s.api('POST', '/v1/keyspaces', { name: 'prod', prefix: 'sk_prod' });
    for (let i = 0; i < 4; i++) await s.api('POST', '/v1/keys', { keyspaceId: ks.body.id, name: `k${i}` });
    // Sign the head, write five more entries, sign again.
    c1 = (await s.services.checkpointer.checkpoint())!.seq;
    for (let i = 0; i < 5; i++) await s.api('PUT', `/v1/secrets/s${i}`, { value: `value-${i}` });
    c2 = (await s.services.checkpointer.checkpoint())!.seq;
    expect(c2).toBe(c1 + 5);
    snapshot = {
      log: await db().selectFrom('audit_log').selectAll().orderBy('seq').execute(),
      head: await db().selectFrom('audit_head').selectAll().execute(),
      checkpoints: await db().selectFrom('audit_checkpoints').selectAll().execute(),
    };
  });
  afterAll(() => s.close());

  beforeEach(async () => {
    // Every test tampers with a pristine copy.
    await db().deleteFrom('audit_log').execute();
    await db()
      .insertInto('audit_log')
      .values(snapshot.log as never)
      .execute();
    await db()
      .updateTable('audit_head')
      .set(snapshot.head[0] as never)
      .execute();
    await db().deleteFrom('audit_checkpoints').execute();
    await db()
      .insertInto('audit_checkpoints')
      .values(snapshot.checkpoints as never)
      .execute();
  });

  const verify = async () => {
    const r = await s.api('GET', '/v1/audit/verify');
    expect(r.status).toBe(200);
    return r.body;
  };

  it('verifies an intact log: chain and both signed checkpoints', async () => {
    expect(await verify()).toEqual({ ok: true, checked: c2, checkpoints: { checked: 2, lastSignedSeq: c2, unsignedEntries: 0 } });
  });

  it('names an entry whose content was changed', async () => {
    await db()
      .updateTable('audit_log')
      .set({ details: '{"name":"k1-renamed"}' })
      .where('seq', '=', c1 - 2)
      .execute();
    expect(await verify()).toMatchObject({ ok: false, firstBadSeq: c1 - 2, reason: 'entry changed', checked: c1 - 3 });
  });

  it('names where an entry was deleted', async () => {
    await db()
      .deleteFrom('audit_log')
      .where('seq', '=', c1 + 2)
      .execute();
    expect(await verify()).toMatchObject({ ok: false, firstBadSeq: c1 + 2, reason: 'entry missing' });
  });

  it('names where two entries were swapped', async () => {
    const [a, b] = snapshot.log.filter((r) => Number(r.seq) === c1 + 3 || Number(r.seq) === c1 + 4);
    await db()
      .deleteFrom('audit_log')
      .where('seq', 'in', [c1 + 3, c1 + 4])
      .execute();
    await db()
      .insertInto('audit_log')
      .values([
        { ...b, seq: c1 + 3 },
        { ...a, seq: c1 + 4 },
      ] as never)
      .execute();
    const r = await verify();
    expect(r.ok).toBe(false);
    expect(r.firstBadSeq).toBe(c1 + 3);
  });

  it('catches a rewrite with recomputed hashes through the signed checkpoint, naming the span after the last good one', async () => {
    // An attacker with write access to the database edits an entry and recomputes every hash after it.
    const edited = c1 + 2;
    const rows = (await db().selectFrom('audit_log').selectAll().orderBy('seq').execute()).map((r) => ({
      ...r,
      seq: Number(r.seq),
      ts: Number(r.ts),
    }));
    let prev = rows.find((r) => r.seq === edited - 1)!.hash;
    for (const r of rows.filter((x) => x.seq >= edited)) {
      const details = r.seq === edited ? { forged: true } : JSON.parse(r.details);
      const body = {
        seq: r.seq,
        id: r.id,
        ts: r.ts,
        workspaceId: r.workspace_id,
        actor: r.actor,
        action: r.action,
        target: r.target,
        ip: r.ip,
        details,
      };
      const hash = auditHash(prev, body);
      await db()
        .updateTable('audit_log')
        .set({ details: JSON.stringify(details), prev_hash: prev, hash })
        .where('seq', '=', r.seq)
        .execute();
      prev = hash;
    }
    await db().updateTable('audit_head').set({ hash: prev }).execute();
    const r = await verify();
    expect(r.ok).toBe(false);
    expect(r.firstBadSeq).toBe(c1 + 1);
    expect(r.reason).toContain(`entries ${c1 + 1}–${c2} were rewritten`);
  });

  it('catches entries cut from the end, even with the head row moved back', async () => {
    const keep = snapshot.log.find((r) => Number(r.seq) === c1 + 3)!;
    await db()
      .deleteFrom('audit_log')
      .where('seq', '>', c1 + 3)
      .execute();
    await db()
      .updateTable('audit_head')
      .set({ seq: c1 + 3, hash: keep.hash as string })
      .execute();
    expect(await verify()).toMatchObject({ ok: false, firstBadSeq: c1 + 4, reason: expect.stringMatching(/removed/) });
  });

  it('refuses a checkpoint whose signature the keyring did not make', async () => {
    const sig = Buffer.from(snapshot.checkpoints[1]!.signature as string, 'base64url');
    sig[0]! ^= 1;
    await db()
      .updateTable('audit_checkpoints')
      .set({ signature: sig.toString('base64url') })
      .where('seq', '=', c2)
      .execute();
    expect(await verify()).toMatchObject({ ok: false, checkpoints: { badSignatureSeq: c2 } });
  });

  it('exports the log as JSON lines that verify offline', async () => {
    const r = await fetch(`${s.url}/v1/audit/export?checkpoints=true`, { headers: { authorization: `Bearer ${s.rootKey}` } });
    expect(r.headers.get('content-type')).toContain('application/x-ndjson');
    const lines = (await r.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const entries = lines.filter((l) => l.checkpoint === undefined);
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: entries.length }, (_, i) => i + 1));
    for (const e of entries) expect(auditHash(e.prevHash, { ...e, ts: Date.parse(e.ts) })).toBe(e.hash);
    expect(lines.filter((l) => l.checkpoint !== undefined).map((l) => l.checkpoint.seq)).toEqual([c1, c2]);
    expect(entries.at(-1).action).toBe('audit.exported');
  });

  it('writes checkpoints by the policy: every N entries or after T with any new entry', async () => {
    const cp = s.services.checkpointer;
    const policy = (cp as unknown as { policy: { everyEntries: number; everyMs: number } }).policy;
    policy.everyEntries = 3;
    policy.everyMs = 60_000;
    const head = async () => (await s.services.store.auditHead()).seq;
    await s.api('PUT', '/v1/secrets/p1', { value: 'p1' });
    expect(await cp.tick()).toBeUndefined(); // one new entry, little time
    await s.api('PUT', '/v1/secrets/p2', { value: 'p2' });
    await s.api('PUT', '/v1/secrets/p3', { value: 'p3' });
    expect((await cp.tick())!.seq).toBe(await head());
    await s.api('PUT', '/v1/secrets/p4', { value: 'p4' });
    expect(await cp.tick()).toBeUndefined();
    clock.advance(61_000);
    expect((await cp.tick())!.seq).toBe(await head());
    expect(await cp.tick()).toBeUndefined(); // nothing new
  });
});
