import {
  auditAppend,
  auditHash,
  ManualClock,
  verifyAuditChain,
  type AnomalyRecord,
  type AuditAppend,
  type MonitoringStore,
} from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../support/databases.js';

const T0 = Date.parse('2026-03-02T10:00:00Z');

/** The anomaly port, every method, on every backend. */
describe.each(DIALECTS)('anomaly repos contract (%s)', (dialect) => {
  let db: TestDatabase;
  let repos: MonitoringStore;
  let n = 0;
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    repos = db.ports.monitoring;
  });
  afterAll(() => db.drop());

  /** An anomaly with every field set to something a round trip could get wrong. */
  function anomaly(overrides: Partial<AnomalyRecord> = {}): AnomalyRecord {
    n++;
    return {
      id: `anm_${String(n).padStart(22, '0')}`,
      kind: 'new_network',
      severity: 'medium',
      workspaceId: 'ws_anomalies',
      keyId: 'key_a',
      keyspaceId: 'ks_a',
      subject: 'key_a',
      explanation: 'Key key_a was used from 198.51.100.0/24 — żółw 🐢.',
      details: { network: '198.51.100.0/24', nested: { list: [1, 'two', null] }, ratio: 2.5 },
      firstEventAt: T0,
      detectedAt: T0 + 1000,
      fingerprint: `new_network|key_a|${n}`,
      status: 'open',
      count: 1,
      lastSeenAt: T0,
      acknowledgedAt: null,
      acknowledgedBy: null,
      resolvedAt: null,
      resolvedBy: null,
      response: null,
      ...overrides,
    };
  }

  it('stores an anomaly and reads it back exactly; an unknown id is undefined', async () => {
    const a = anomaly({ response: { action: 'suspended', suspensionId: 'sus_1' }, keyspaceId: null });
    await repos.insertAnomaly(a);
    expect(await repos.getAnomaly(a.id)).toEqual(a);
    expect(await repos.getAnomaly('anm_missing')).toBeUndefined();
  });

  it('cuts the subject and fingerprint to their columns', async () => {
    const a = anomaly({ subject: 's'.repeat(300), fingerprint: 'f'.repeat(600) });
    await repos.transaction((tx) => tx.insertAnomaly(a));
    expect(await repos.getAnomaly(a.id)).toEqual({ ...a, subject: 's'.repeat(256), fingerprint: 'f'.repeat(512) });
  });

  it('lists a workspace’s anomalies newest first, by key, time, status and kind, at most `limit`', async () => {
    const ws = 'ws_list';
    const made = [
      anomaly({ workspaceId: ws, detectedAt: T0 + 3, keyId: 'key_x' }),
      anomaly({ workspaceId: ws, detectedAt: T0 + 1, kind: 'rate_spike' }),
      anomaly({ workspaceId: ws, detectedAt: T0 + 3, status: 'resolved' }),
      anomaly({ workspaceId: ws, detectedAt: T0 + 2, keyId: 'key_x', status: 'acknowledged' }),
      anomaly({ workspaceId: 'ws_elsewhere', detectedAt: T0 + 9 }),
    ];
    for (const a of made) await repos.insertAnomaly(a);
    const ids = async (q: Partial<Parameters<MonitoringStore['listAnomalies']>[0]>) =>
      (await repos.listAnomalies({ workspaceId: ws, limit: 100, ...q })).map((a) => made.findIndex((m) => m.id === a.id));
    // Equal times: the later id first.
    expect(await ids({})).toEqual([2, 0, 3, 1]);
    expect(await ids({ keyId: 'key_x' })).toEqual([0, 3]);
    expect(await ids({ since: T0 + 2 })).toEqual([2, 0, 3]);
    expect(await ids({ status: 'open' })).toEqual([0, 1]);
    expect(await ids({ kind: 'rate_spike' })).toEqual([1]);
    expect(await ids({ limit: 2 })).toEqual([2, 0]);
    expect(await ids({ keyId: 'key_x', status: 'acknowledged', since: T0 })).toEqual([3]);
  });

  it('changes only the fields a patch names', async () => {
    const a = anomaly();
    await repos.insertAnomaly(a);
    await repos.updateAnomaly(a.id, { status: 'acknowledged', acknowledgedAt: T0 + 5, acknowledgedBy: 'user:zoë' });
    expect(await repos.getAnomaly(a.id)).toEqual({ ...a, status: 'acknowledged', acknowledgedAt: T0 + 5, acknowledgedBy: 'user:zoë' });
    await repos.transaction((tx) =>
      tx.updateAnomaly(a.id, { response: { action: 'suspended', suspensionId: 'sus_2' }, count: 4, lastSeenAt: T0 + 9 }),
    );
    await repos.updateAnomaly(a.id, { status: 'resolved', resolvedAt: T0 + 10, resolvedBy: 'system' });
    expect(await repos.getAnomaly(a.id)).toEqual({
      ...a,
      status: 'resolved',
      acknowledgedAt: T0 + 5,
      acknowledgedBy: 'user:zoë',
      resolvedAt: T0 + 10,
      resolvedBy: 'system',
      response: { action: 'suspended', suspensionId: 'sus_2' },
      count: 4,
      lastSeenAt: T0 + 9,
    });
    await repos.updateAnomaly(a.id, { response: null });
    expect((await repos.getAnomaly(a.id))!.response).toBeNull();
  });

  it('adds repeats to the count and keeps the latest time it was seen', async () => {
    const a = anomaly({ count: 1, lastSeenAt: T0 + 100 });
    await repos.insertAnomaly(a);
    await repos.bumpAnomalies([{ id: a.id, count: 3, lastSeenAt: T0 + 50 }]);
    expect(await repos.getAnomaly(a.id)).toMatchObject({ count: 4, lastSeenAt: T0 + 100 });
    await repos.transaction((tx) => tx.bumpAnomalies([{ id: a.id, count: 2, lastSeenAt: T0 + 200 }]));
    expect(await repos.getAnomaly(a.id)).toMatchObject({ count: 6, lastSeenAt: T0 + 200 });
    // Concurrent bumps lose nothing.
    await Promise.all(Array.from({ length: 10 }, () => repos.bumpAnomalies([{ id: a.id, count: 1, lastSeenAt: T0 + 150 }])));
    expect(await repos.getAnomaly(a.id)).toMatchObject({ count: 16, lastSeenAt: T0 + 200 });
    // Bumps of one anomaly in one call add up; an unknown id changes nothing; nothing to bump is nothing.
    await repos.bumpAnomalies([
      { id: a.id, count: 2, lastSeenAt: T0 + 300 },
      { id: 'an_unknown', count: 5, lastSeenAt: T0 + 900 },
      { id: a.id, count: 1, lastSeenAt: T0 + 250 },
    ]);
    expect(await repos.getAnomaly(a.id)).toMatchObject({ count: 19, lastSeenAt: T0 + 300 });
    await repos.bumpAnomalies([]);
  });

  it("bumps many anomalies at once, past one statement's worth, each by its own repeats", async () => {
    const many = Array.from({ length: 2_100 }, (_, i) => anomaly({ count: 1, lastSeenAt: T0 + i }));
    await repos.transaction(async (tx) => {
      for (const a of many) await tx.insertAnomaly(a);
    });
    const untouched = anomaly({ count: 7, lastSeenAt: T0 });
    await repos.insertAnomaly(untouched);
    await repos.bumpAnomalies(many.map((a, i) => ({ id: a.id, count: i + 1, lastSeenAt: T0 + 10_000 + (i % 2 === 0 ? i : -20_000) })));
    for (const i of [0, 1, 999, 1000, 1001, 2099]) {
      expect(await repos.getAnomaly(many[i]!.id)).toMatchObject({
        count: i + 2,
        lastSeenAt: i % 2 === 0 ? T0 + 10_000 + i : T0 + i,
      });
    }
    expect(await repos.getAnomaly(untouched.id)).toMatchObject({ count: 7, lastSeenAt: T0 });
  });

  const clock = new ManualClock(T0);
  const detected = (a: AnomalyRecord): AuditAppend =>
    auditAppend(
      clock,
      { id: 'system', workspaceId: a.workspaceId, ip: null },
      {
        action: 'anomaly.detected',
        target: a.id,
        details: { kind: a.kind, explanation: a.explanation },
      },
    );

  it('records an anomaly with its audit entry as one write, numbered and hashed from the head; concurrent ones keep the chain whole', async () => {
    const a = anomaly();
    const before = await repos.auditHead();
    const audit = detected(a);
    const link = await repos.recordAnomaly(a, audit);
    expect(link).toEqual({
      seq: before.seq + 1,
      prevHash: before.hash,
      hash: auditHash(before.hash, { ...audit.entry, seq: before.seq + 1 }),
    });
    expect(await repos.getAnomaly(a.id)).toEqual(a);
    expect(await repos.scanAudit(before.seq + 1, 10)).toEqual([
      { ...audit.entry, seq: before.seq + 1, prevHash: before.hash, hash: link.hash },
    ]);
    expect(await repos.auditHead()).toEqual({ seq: before.seq + 1, hash: link.hash });
    const many = Array.from({ length: 8 }, () => anomaly());
    const links = await Promise.all(many.map((m) => repos.recordAnomaly(m, detected(m))));
    expect(links.map((l) => l.seq).sort((x, y) => x - y)).toEqual(many.map((_, i) => before.seq + 2 + i));
    expect(await verifyAuditChain(repos)).toEqual({ ok: true, checked: before.seq + 9 });
  });

  it('writes neither the anomaly nor its entry when the audit part fails; inside a transaction it is part of it', async () => {
    const first = anomaly();
    await repos.recordAnomaly(first, detected(first));
    const head = await repos.auditHead();
    const [last] = await repos.scanAudit(head.seq, 1);
    // An entry whose id is taken: the audit part fails after the anomaly was written.
    const a = anomaly();
    const clash = detected(a);
    await expect(repos.recordAnomaly(a, { ...clash, entry: { ...clash.entry, id: last!.id } })).rejects.toThrow();
    expect(await repos.getAnomaly(a.id)).toBeUndefined();
    expect(await repos.auditHead()).toEqual(head);
    const b = anomaly();
    await expect(
      repos.transaction(async (tx) => {
        await tx.recordAnomaly(b, detected(b));
        expect(await tx.getAnomaly(b.id)).toEqual(b);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await repos.getAnomaly(b.id)).toBeUndefined();
    expect(await repos.auditHead()).toEqual(head);
    expect((await verifyAuditChain(repos)).ok).toBe(true);
  });
});
