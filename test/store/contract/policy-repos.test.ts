import type { KeyspacePolicy, MonitoringStore } from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../support/databases.js';

/** The keyspace policy port, every method, on every backend. */
describe.each(DIALECTS)('policy repos contract (%s)', (dialect) => {
  let db: TestDatabase;
  let repos: MonitoringStore;
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    repos = db.ports.monitoring;
  });
  afterAll(() => db.drop());

  const policy = (keyspaceId: string, overrides: Partial<KeyspacePolicy> = {}): KeyspacePolicy => ({
    keyspaceId,
    workspaceId: 'ws_policies',
    anomalyResponse: 'suspend',
    suspendMinSeverity: 'critical',
    autoExpireUnusedDays: 90,
    autoExpireNoticeDays: 14,
    expiringNoticeDays: 0,
    creditsLowThreshold: 9_000_000_000,
    maxKeyLifetimeDays: 365,
    rotationIntervalDays: 90,
    rotationNoticeDays: 0,
    rotationGraceDays: 30,
    detectionSensitivity: 1.5,
    quietHours: [1, 2, 3],
    knownNetworks: ['203.0.113.0/24'],
    updatedAt: Date.parse('2026-03-02T10:00:00Z'),
    ...overrides,
  });

  it('has no policy for a keyspace until one is put, then reads it back exactly', async () => {
    expect(await repos.getPolicy('ks_a')).toBeUndefined();
    const p = policy('ks_a');
    await repos.putPolicy(p);
    expect(await repos.getPolicy('ks_a')).toEqual(p);
  });

  it('replaces a keyspace’s policy when put again, nulls included', async () => {
    await repos.putPolicy(policy('ks_b'));
    const next = policy('ks_b', {
      anomalyResponse: 'alert',
      suspendMinSeverity: 'low',
      autoExpireUnusedDays: null,
      creditsLowThreshold: null,
      maxKeyLifetimeDays: null,
      rotationIntervalDays: null,
      rotationNoticeDays: 14,
      updatedAt: 1,
    });
    await repos.transaction((tx) => tx.putPolicy(next));
    expect(await repos.getPolicy('ks_b')).toEqual(next);
  });

  it('keeps the detection tuning exactly: a fractional sensitivity, the hours in order, IPv6 networks; and takes it back to the defaults', async () => {
    const tuned = policy('ks_d', { detectionSensitivity: 0.3, quietHours: [0, 5, 23], knownNetworks: ['2001:db8:1::/48', '198.51.100.7'] });
    await repos.putPolicy(tuned);
    expect(await repos.getPolicy('ks_d')).toEqual(tuned);
    const plain = { ...tuned, detectionSensitivity: 1, quietHours: [], knownNetworks: [] };
    await repos.putPolicy(plain);
    expect(await repos.getPolicy('ks_d')).toEqual(plain);
  });

  it('lists every keyspace’s policy, of every workspace', async () => {
    await repos.putPolicy(policy('ks_c', { workspaceId: 'ws_other' }));
    const all = await repos.listPolicies();
    expect(all.map((p) => p.keyspaceId).sort()).toEqual(['ks_a', 'ks_b', 'ks_c', 'ks_d']);
    expect(all.find((p) => p.keyspaceId === 'ks_c')).toEqual(policy('ks_c', { workspaceId: 'ws_other' }));
  });
});
