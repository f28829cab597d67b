import type { RolloverRecord } from '@tessera/core';
import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../../support/databases.js';
import { nextId, useDatabase } from './records.js';

/** The port of usage-driven rollovers, every method, on every backend. */
describe.each(DIALECTS)('rollover repos contract (%s)', (dialect) => {
  const database = useDatabase(dialect);
  const repos = () => database().store.rollovers;

  const rollover = (over: Partial<RolloverRecord> = {}): RolloverRecord => ({
    predecessorId: nextId('key'),
    successorId: nextId('key'),
    workspaceId: 'ws_rollovers',
    keyspaceId: 'ks_rollovers',
    quietPeriodSeconds: 3600,
    deadline: 1_800_000_000_000,
    createdAt: 1_700_000_000_000,
    successorFirstUsedAt: null,
    retiredAt: null,
    retiredReason: null,
    ...over,
  });

  it('reads back what it stores, exactly, inside a transaction too', async () => {
    const r = rollover();
    await database().store.transaction((tx) => tx.rollovers.insertRollover(r));
    expect(await repos().getRollover(r.predecessorId)).toEqual(r);
    expect(await repos().getRollover(r.successorId)).toBeUndefined();
  });

  it('records the successor’s first use once, and ends a rollover once', async () => {
    const r = rollover();
    await repos().insertRollover(r);
    await repos().markSuccessorUsed(r.predecessorId, 1_700_000_001_000);
    await repos().markSuccessorUsed(r.predecessorId, 1_700_000_002_000);
    expect((await repos().getRollover(r.predecessorId))!.successorFirstUsedAt).toBe(1_700_000_001_000);
    expect(await repos().endRollover(r.predecessorId, { at: 1_700_000_003_000, reason: 'quiet' })).toBe(true);
    expect(await repos().endRollover(r.predecessorId, { at: 1_700_000_004_000, reason: 'deadline' })).toBe(false);
    expect(await repos().getRollover(r.predecessorId)).toMatchObject({ retiredAt: 1_700_000_003_000, retiredReason: 'quiet' });
  });

  it('lists open rollovers of every workspace by deadline, and a workspace’s newest first, by keyspace and openness', async () => {
    const ws = `ws_${nextId('key').slice(4, 14)}`;
    const a = rollover({ workspaceId: ws, createdAt: 1, deadline: 1_900_000_000_003 });
    const b = rollover({ workspaceId: ws, createdAt: 2, deadline: 1_900_000_000_001, keyspaceId: 'ks_other' });
    const c = rollover({ workspaceId: ws, createdAt: 3, deadline: 1_900_000_000_002 });
    const elsewhere = rollover({ createdAt: 4, deadline: 1_900_000_000_000 });
    for (const r of [a, b, c, elsewhere]) await repos().insertRollover(r);
    await repos().endRollover(c.predecessorId, { at: 5, reason: 'revoked' });
    const open = (await repos().listOpenRollovers(1000)).map((r) => r.predecessorId);
    expect(open.filter((id) => [a, b, c, elsewhere].some((r) => r.predecessorId === id))).toEqual(
      [elsewhere, b, a].map((r) => r.predecessorId),
    );
    const ids = (rs: RolloverRecord[]) => rs.map((r) => r.predecessorId);
    expect(ids(await repos().listRollovers({ workspaceId: ws, limit: 10 }))).toEqual(ids([c, b, a]));
    expect(ids(await repos().listRollovers({ workspaceId: ws, open: true, limit: 10 }))).toEqual(ids([b, a]));
    expect(ids(await repos().listRollovers({ workspaceId: ws, open: false, limit: 10 }))).toEqual(ids([c]));
    expect(ids(await repos().listRollovers({ workspaceId: ws, keyspaceId: 'ks_other', limit: 10 }))).toEqual(ids([b]));
    expect(ids(await repos().listRollovers({ workspaceId: ws, limit: 2 }))).toEqual(ids([c, b]));
  });
});
