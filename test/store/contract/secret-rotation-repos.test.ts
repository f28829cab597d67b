import type { SecretRotationRecord } from '@tessera/core';
import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../../support/databases.js';
import { nextId, useDatabase } from './records.js';

/** The port of secret rotations, every method, on every backend. */
describe.each(DIALECTS)('secret rotation repos contract (%s)', (dialect) => {
  const database = useDatabase(dialect);
  const repos = () => database().store.secretRotations;

  const rotation = (over: Partial<SecretRotationRecord> = {}): SecretRotationRecord => ({
    secretId: nextId('secret'),
    workspaceId: 'ws_rotations',
    secretName: 'orders/db',
    settings: { kind: 'postgres-alternating', connection: 'orders-db', usernames: ['app_a', 'app_b'] },
    signingSecretCiphertext: null,
    intervalSeconds: 86_400,
    state: 'idle',
    nextAttemptAt: 1_800_000_000_000,
    attempts: 0,
    lastAttemptAt: null,
    lastResult: null,
    lastError: null,
    lastRotatedAt: null,
    pendingCiphertext: null,
    pendingSince: null,
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_000,
    ...over,
  });

  it('reads back what it stores, exactly; a second put replaces all but its creation; delete removes it', async () => {
    const r = rotation();
    await database().store.transaction((tx) => tx.secretRotations.putRotation(r));
    expect(await repos().getRotation(r.secretId)).toEqual(r);
    const replaced = rotation({
      ...r,
      settings: { kind: 'webhook', url: 'https://example.com/rotate' },
      signingSecretCiphertext: 'v1.ws.1.iv.ct.tag',
      intervalSeconds: null,
      nextAttemptAt: null,
      lastResult: 'failed',
      lastError: 'the endpoint answered HTTP 500 to create',
      createdAt: 5,
      updatedAt: 1_700_000_000_500,
    });
    await repos().putRotation(replaced);
    expect(await repos().getRotation(r.secretId)).toEqual({ ...replaced, createdAt: r.createdAt });
    await repos().deleteRotation(r.secretId);
    expect(await repos().getRotation(r.secretId)).toBeUndefined();
  });

  it('lists a workspace’s by secret name, and those due (lapsed claims too) by when they are due', async () => {
    const ws = `ws_${nextId('key').slice(4, 14)}`;
    const b = rotation({ workspaceId: ws, secretName: 'b', nextAttemptAt: 2_000 });
    const a = rotation({ workspaceId: ws, secretName: 'a', nextAttemptAt: 1_000 });
    const manual = rotation({ workspaceId: ws, secretName: 'c', nextAttemptAt: null, intervalSeconds: null });
    const later = rotation({ workspaceId: ws, secretName: 'd', nextAttemptAt: 9_000 });
    const lapsed = rotation({ workspaceId: ws, secretName: 'e', state: 'rotating', nextAttemptAt: 3_000 });
    for (const r of [b, a, manual, later, lapsed]) await repos().putRotation(r);
    expect((await repos().listRotations(ws)).map((r) => r.secretName)).toEqual(['a', 'b', 'c', 'd', 'e']);
    const due = (await repos().listDueRotations(5_000, 100)).filter((r) => r.workspaceId === ws).map((r) => r.secretName);
    expect(due).toEqual(['a', 'b', 'e']);
    expect((await repos().listDueRotations(5_000, 1)).length).toBe(1);
  });

  it('claims once by compare-and-set; keeps a pending value and finishes only while the claim holds', async () => {
    const r = rotation({ nextAttemptAt: 1_000 });
    await repos().putRotation(r);
    expect(await repos().claimRotation(r.secretId, 999, 2_000, 60_000)).toBe(false); // not what it was
    expect(await repos().claimRotation(r.secretId, 1_000, 2_000, 60_000)).toBe(true);
    expect(await repos().claimRotation(r.secretId, 1_000, 2_000, 61_000)).toBe(false); // taken
    expect(await repos().claimRotation(r.secretId, 60_000, 2_000, 61_000)).toBe(false); // claim still holds
    expect(await repos().getRotation(r.secretId)).toMatchObject({ state: 'rotating', nextAttemptAt: 60_000 });
    expect(await repos().setPending(r.secretId, 59_999, { ciphertext: 'x', since: 2_100 })).toBe(false);
    expect(await repos().setPending(r.secretId, 60_000, { ciphertext: 'v1.p.ct', since: 2_100 })).toBe(true);
    expect(await repos().getRotation(r.secretId)).toMatchObject({ pendingCiphertext: 'v1.p.ct', pendingSince: 2_100 });
    const outcome = {
      nextAttemptAt: 90_000,
      attempts: 0,
      lastAttemptAt: 3_000,
      lastResult: 'succeeded' as const,
      lastError: null,
      lastRotatedAt: 3_000,
    };
    expect(await repos().finishRotation(r.secretId, 59_000, outcome)).toBe(false);
    expect(await repos().finishRotation(r.secretId, 60_000, outcome)).toBe(true);
    expect(await repos().finishRotation(r.secretId, 60_000, outcome)).toBe(false);
    expect(await repos().getRotation(r.secretId)).toEqual({
      ...r,
      state: 'idle',
      ...outcome,
      pendingCiphertext: null,
      pendingSince: null,
      updatedAt: 3_000,
    });
  });

  it('lets a lapsed claim be taken over, and a manual rotation (no next time) be claimed', async () => {
    const r = rotation({ nextAttemptAt: null, intervalSeconds: null });
    await repos().putRotation(r);
    expect(await repos().claimRotation(r.secretId, null, 1_000, 5_000)).toBe(true);
    expect(await repos().claimRotation(r.secretId, 5_000, 4_999, 9_000)).toBe(false);
    expect(await repos().claimRotation(r.secretId, 5_000, 5_000, 9_000)).toBe(true);
    // The first claimant's outcome no longer lands.
    const failed = { nextAttemptAt: 6_000, attempts: 1, lastAttemptAt: 5_500, lastResult: 'failed' as const, lastError: 'x' };
    expect(await repos().finishRotation(r.secretId, 5_000, failed)).toBe(false);
    expect(await repos().finishRotation(r.secretId, 9_000, failed)).toBe(true);
    expect(await repos().getRotation(r.secretId)).toMatchObject({ ...failed, state: 'idle', lastRotatedAt: null });
  });
});
