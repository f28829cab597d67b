import type { MonitoringStore, SuspensionRecord } from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../support/databases.js';

const T0 = Date.parse('2026-03-02T10:00:00Z');

/** The suspension port, every method, on every backend. */
describe.each(DIALECTS)('suspension repos contract (%s)', (dialect) => {
  let db: TestDatabase;
  let repos: MonitoringStore;
  let n = 0;
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    repos = db.ports.monitoring;
  });
  afterAll(() => db.drop());

  function suspension(overrides: Partial<SuspensionRecord> = {}): SuspensionRecord {
    n++;
    return {
      id: `sus_${String(n).padStart(22, '0')}`,
      workspaceId: 'ws_suspensions',
      keyId: 'key_a',
      anomalyId: 'anm_1',
      reason: 'anomaly impossible_travel — żółw 🐢',
      suspendedAt: T0,
      wasEnabled: true,
      undoneAt: null,
      undoneBy: null,
      ...overrides,
    };
  }

  it('stores a suspension and reads it back exactly (its reason cut to 256); an unknown id is undefined', async () => {
    const s = suspension({ anomalyId: null, wasEnabled: false });
    await repos.insertSuspension(s);
    expect(await repos.getSuspension(s.id)).toEqual(s);
    const long = suspension({ reason: 'r'.repeat(300) });
    await repos.transaction((tx) => tx.insertSuspension(long));
    expect(await repos.getSuspension(long.id)).toEqual({ ...long, reason: 'r'.repeat(256) });
    expect(await repos.getSuspension('sus_missing')).toBeUndefined();
  });

  it('marks a suspension undone once', async () => {
    const s = suspension();
    await repos.insertSuspension(s);
    expect(await repos.markSuspensionUndone(s.id, T0 + 5, 'user:zoë')).toBe(true);
    expect(await repos.markSuspensionUndone(s.id, T0 + 6, 'user:other')).toBe(false);
    expect(await repos.getSuspension(s.id)).toEqual({ ...s, undoneAt: T0 + 5, undoneBy: 'user:zoë' });
    expect(await repos.markSuspensionUndone('sus_missing', T0, 'x')).toBe(false);
  });

  it('lists a workspace’s suspensions newest first, by key and by whether they are active, at most 500', async () => {
    const ws = 'ws_list';
    const made = [
      suspension({ workspaceId: ws, keyId: 'key_x' }),
      suspension({ workspaceId: ws }),
      suspension({ workspaceId: ws, keyId: 'key_x', undoneAt: T0 + 1, undoneBy: 'u' }),
      suspension({ workspaceId: 'ws_elsewhere' }),
    ];
    for (const s of made) await repos.insertSuspension(s);
    const list = async (q: { keyId?: string; active?: boolean }) =>
      (await repos.listSuspensions({ workspaceId: ws, ...q })).map((s) => s.id);
    expect(await list({})).toEqual([made[2]!.id, made[1]!.id, made[0]!.id]);
    expect(await list({ keyId: 'key_x' })).toEqual([made[2]!.id, made[0]!.id]);
    expect(await list({ active: true })).toEqual([made[1]!.id, made[0]!.id]);
    expect(await list({ active: false })).toEqual([made[2]!.id]);
    expect(await list({ keyId: 'key_x', active: true })).toEqual([made[0]!.id]);

    const many = Array.from({ length: 501 }, () => suspension({ workspaceId: 'ws_many' }));
    await repos.transaction(async (tx) => {
      for (const s of many) await tx.insertSuspension(s);
    });
    const page = await repos.listSuspensions({ workspaceId: 'ws_many' });
    expect(page).toHaveLength(500);
    expect(page[0]!.id).toBe(many[500]!.id);
  });
});
