import type { MonitoringStore, RollupDimension, UsageEvent } from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../support/databases.js';

const T0 = Date.parse('2026-03-02T10:00:00Z');
const HOUR = 3_600_000;

/** An event with every field set to something a round trip could get wrong. */
function event(overrides: Partial<UsageEvent> = {}): UsageEvent {
  return {
    ts: T0,
    workspaceId: 'ws_usage',
    keyId: 'key_a',
    keyspaceId: 'ks_a',
    ownerId: 'Zoë 🐢',
    outcome: 'VALID',
    ip: '2001:db8::7',
    network: '2001:db8:0::/48',
    userAgent: 'acme-app/2.1',
    cost: 3,
    resource: '/docs/ü',
    method: 'GET',
    scopes: 'a and (b or c)',
    ...overrides,
  };
}

/** The usage port (events, roll-ups, scope usage), every method, on every backend. */
describe.each(DIALECTS)('usage repos contract (%s)', (dialect) => {
  let db: TestDatabase;
  let repos: MonitoringStore;
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    repos = db.ports.monitoring;
  });
  afterAll(() => db.drop());

  it('stores events in and out of a transaction alike, and lists a workspace’s or a key’s newest first within [from, to)', async () => {
    const ws = 'ws_events';
    // 64 rows make one prepared block on SQLite; 150 take two blocks and single rows besides.
    const inTx = Array.from({ length: 150 }, (_, i) => event({ workspaceId: ws, ts: T0 + i, keyId: i % 3 === 0 ? 'key_b' : 'key_a' }));
    await repos.transaction((tx) => tx.insertUsageEvents(inTx));
    const outside = [
      event({ workspaceId: ws, ts: T0 + 500, deleted: true, keyId: 'key_gone', ip: null, network: null, userAgent: null }),
      event({ workspaceId: 'ws_other', ts: T0 + 1 }),
    ];
    await repos.insertUsageEvents(outside);

    const all = await repos.listUsageEvents({ workspaceId: ws, from: T0, to: T0 + 1000, limit: 1000 });
    expect(all).toHaveLength(151);
    expect(all[0]).toEqual(outside[0]);
    expect(all[1]).toEqual(inTx[149]);
    expect(all.map((e) => e.ts)).toEqual([...all.map((e) => e.ts)].sort((a, b) => b - a));
    expect(all.find((e) => e.ts === T0 + 7)).toEqual(inTx[7]);
    expect(all.every((e) => e.workspaceId === ws)).toBe(true);

    const b = await repos.listUsageEvents({ workspaceId: ws, keyId: 'key_b', from: T0 + 10, to: T0 + 100, limit: 5 });
    expect(b.map((e) => e.ts)).toEqual([T0 + 99, T0 + 96, T0 + 93, T0 + 90, T0 + 87]);
    expect(await repos.listUsageEvents({ workspaceId: ws, from: T0 + 149, to: T0 + 150, limit: 10 })).toEqual([inTx[149]]);
  });

  it('clips long text and drops NUL, which PostgreSQL cannot hold', async () => {
    const ws = 'ws_clip';
    await repos.insertUsageEvents([
      event({ workspaceId: ws, userAgent: `a\u0000b${'x'.repeat(300)}`, method: 'M'.repeat(40), resource: 'r'.repeat(300) }),
    ]);
    await repos.transaction((tx) => tx.insertUsageEvents([event({ workspaceId: ws, ts: T0 + 1, scopes: 's'.repeat(2000) })]));
    const [inTx, outside] = await repos.listUsageEvents({ workspaceId: ws, from: T0, to: T0 + 2, limit: 10 });
    expect(outside!.userAgent).toBe(`ab${'x'.repeat(254)}`);
    expect(outside!.method).toBe('M'.repeat(16));
    expect(outside!.resource).toHaveLength(256);
    expect(inTx!.scopes).toHaveLength(1024);
  });

  it('keeps text that an array literal must escape exactly, in events and roll-ups', async () => {
    // PostgreSQL receives each column as one array: quotes, backslashes, braces, commas and the word NULL are its syntax.
    const ws = 'ws_escape';
    const tricky = ['"quoted", {braced}', 'back\\slash \\" end\\', 'NULL', '', ' spaced ', 'line\nbreak\ttab'];
    const events = tricky.map((text, i) =>
      event({ workspaceId: ws, ts: T0 + i, ownerId: text, userAgent: text, resource: text, scopes: text, keyId: i === 2 ? null : 'key_a' }),
    );
    await repos.transaction((tx) => tx.insertUsageEvents(events));
    const back = await repos.listUsageEvents({ workspaceId: ws, from: T0, to: T0 + 10, limit: 10 });
    expect([...back].reverse()).toEqual(events);
    await repos.transaction((tx) =>
      tx.addRollups(
        tricky.map((subject) => ({
          workspaceId: ws,
          granularity: 'hour',
          bucket: T0,
          dimension: 'owner',
          subject,
          outcome: 'VALID',
          count: 2,
          cost: 3,
        })),
      ),
    );
    const rows = await repos.topSubjects({ workspaceId: ws, dimension: 'owner', from: T0, to: T0 + HOUR, limit: 10 });
    expect(rows.map((r) => r.subject).sort()).toEqual([...tricky].sort());
    expect(rows.every((r) => r.count === 2 && r.cost === 3)).toBe(true);
  });

  it('writes nothing of a transaction that fails', async () => {
    await expect(
      repos.transaction(async (tx) => {
        await tx.insertUsageEvents([event({ workspaceId: 'ws_rollback' })]);
        await tx.addRollups([
          {
            workspaceId: 'ws_rollback',
            granularity: 'hour',
            bucket: T0,
            dimension: 'key',
            subject: 'k',
            outcome: 'VALID',
            count: 1,
            cost: 1,
          },
        ]);
        throw new Error('abandon');
      }),
    ).rejects.toThrow('abandon');
    expect(await repos.listUsageEvents({ workspaceId: 'ws_rollback', from: 0, to: T0 + HOUR, limit: 10 })).toEqual([]);
    expect(
      await repos.queryRollups({ workspaceId: 'ws_rollback', granularity: 'hour', dimension: 'key', subject: 'k', from: 0, to: T0 + HOUR }),
    ).toEqual([]);
  });

  it('scans every workspace’s events oldest first, at most `limit`', async () => {
    await repos.insertUsageEvents([
      event({ workspaceId: 'ws_scan1', ts: T0 + 50 * HOUR + 2 }),
      event({ workspaceId: 'ws_scan2', ts: T0 + 50 * HOUR }),
      event({ workspaceId: 'ws_scan1', ts: T0 + 50 * HOUR + 1 }),
      event({ workspaceId: 'ws_scan2', ts: T0 + 50 * HOUR + 3 }),
    ]);
    const scanned = await repos.scanUsageEvents(T0 + 50 * HOUR, T0 + 50 * HOUR + 3, 2);
    expect(scanned.map((e) => [e.workspaceId, e.ts - T0 - 50 * HOUR])).toEqual([
      ['ws_scan2', 0],
      ['ws_scan1', 1],
    ]);
    expect(await repos.scanUsageEvents(T0 + 50 * HOUR, T0 + 50 * HOUR + 3, 10)).toHaveLength(3);
  });

  it('adds roll-ups up on conflict, and reads one subject’s buckets of one granularity in order', async () => {
    const ws = 'ws_rollup';
    const row = (bucket: number, outcome: string, count: number, cost: number, dimension: RollupDimension = 'key', subject = 'key_r') => ({
      workspaceId: ws,
      granularity: 'hour' as const,
      bucket,
      dimension,
      subject,
      outcome,
      count,
      cost,
    });
    await repos.addRollups([
      row(T0 + HOUR, 'VALID', 2, 2),
      row(T0, 'VALID', 1, 1),
      row(T0, 'EXPIRED', 1, 0),
      row(T0, 'VALID', 5, 5, 'owner', 'key_r'),
    ]);
    await repos.transaction((tx) => tx.addRollups([row(T0, 'VALID', 3, 6), { ...row(T0, 'VALID', 7, 7), granularity: 'minute' }]));
    const read = await repos.queryRollups({
      workspaceId: ws,
      granularity: 'hour',
      dimension: 'key',
      subject: 'key_r',
      from: T0,
      to: T0 + 2 * HOUR,
    });
    expect(read.map((r) => [r.bucket - T0, r.outcome, r.count, r.cost]).sort()).toEqual(
      [
        [0, 'EXPIRED', 1, 0],
        [0, 'VALID', 4, 7],
        [HOUR, 'VALID', 2, 2],
      ].sort(),
    );
    expect(read.map((r) => r.bucket)).toEqual([T0, T0, T0 + HOUR]);
    expect(read[0]).toMatchObject({ workspaceId: ws, granularity: 'hour', dimension: 'key', subject: 'key_r' });
    expect(
      await repos.queryRollups({ workspaceId: ws, granularity: 'hour', dimension: 'key', subject: 'key_r', from: T0, to: T0 + HOUR }),
    ).toHaveLength(2);
    expect(
      await repos.queryRollups({ workspaceId: ws, granularity: 'minute', dimension: 'key', subject: 'key_r', from: 0, to: T0 + HOUR }),
    ).toEqual([{ ...row(T0, 'VALID', 7, 7), granularity: 'minute' }]);
  });

  it('writes batches larger than one statement holds, every event and every roll-up counted once', async () => {
    const ws = 'ws_many';
    // 1,000 events take more than two many-row inserts on either backend; 1,234 roll-up rows more than two upserts.
    const events = Array.from({ length: 1000 }, (_, i) => event({ workspaceId: ws, ts: T0 + i, keyId: `key_${i % 7}` }));
    await repos.transaction((tx) => tx.insertUsageEvents(events));
    const stored = await repos.listUsageEvents({ workspaceId: ws, from: T0, to: T0 + 1000, limit: 2000 });
    expect(stored).toHaveLength(1000);
    expect(stored.at(-1)).toEqual(events[0]);
    expect(stored[0]).toEqual(events[999]);
    const rows = Array.from({ length: 1234 }, (_, i) => ({
      workspaceId: ws,
      granularity: 'minute' as const,
      bucket: T0 + (i % 2) * 60_000,
      dimension: 'key' as const,
      subject: `key_${String(i >> 1).padStart(4, '0')}`,
      outcome: 'VALID',
      count: i + 1,
      cost: 2 * (i + 1),
    }));
    // In an order the upsert sorts anew; applied twice, every count doubles.
    const shuffled = [...rows].reverse();
    await repos.transaction((tx) => tx.addRollups(shuffled));
    await repos.addRollups(rows);
    for (const i of [0, 1, 499, 500, 501, 1000, 1233]) {
      const r = rows[i]!;
      const read = await repos.queryRollups({
        workspaceId: ws,
        granularity: 'minute',
        dimension: 'key',
        subject: r.subject,
        from: T0,
        to: T0 + HOUR,
      });
      expect(read.find((x) => x.bucket === r.bucket)).toEqual({ ...r, count: 2 * r.count, cost: 2 * r.cost });
    }
  });

  it('ranks subjects by verifications from the hourly roll-ups, and addresses or networks from the raw events', async () => {
    const ws = 'ws_top';
    const hourly = (subject: string, bucket: number, outcome: string, count: number) => ({
      workspaceId: ws,
      granularity: 'hour' as const,
      bucket,
      dimension: 'key' as const,
      subject,
      outcome,
      count,
      cost: count * 2,
    });
    await repos.addRollups([
      hourly('key_1', T0, 'VALID', 5),
      hourly('key_1', T0 + HOUR, 'VALID', 5),
      hourly('key_2', T0, 'VALID', 10),
      hourly('key_3', T0, 'VALID', 10),
      hourly('key_3', T0, 'RATE_LIMITED', 4),
      hourly('key_4', T0 + 5 * HOUR, 'VALID', 100),
      { ...hourly('key_5', T0, 'VALID', 100), granularity: 'day' },
    ]);
    const top = await repos.topSubjects({ workspaceId: ws, dimension: 'key', from: T0, to: T0 + 2 * HOUR, limit: 10 });
    expect(top).toEqual([
      { subject: 'key_3', count: 14, cost: 28 },
      { subject: 'key_1', count: 10, cost: 20 },
      { subject: 'key_2', count: 10, cost: 20 },
    ]);
    expect(
      await repos.topSubjects({ workspaceId: ws, dimension: 'key', from: T0, to: T0 + 2 * HOUR, outcome: 'RATE_LIMITED', limit: 10 }),
    ).toEqual([{ subject: 'key_3', count: 4, cost: 8 }]);
    expect(await repos.topSubjects({ workspaceId: ws, dimension: 'key', from: T0, to: T0 + 2 * HOUR, limit: 1 })).toHaveLength(1);

    await repos.insertUsageEvents([
      event({ workspaceId: ws, ip: '203.0.113.7', network: '203.0.113.0/24' }),
      event({ workspaceId: ws, ip: '203.0.113.8', network: '203.0.113.0/24' }),
      event({ workspaceId: ws, ip: '203.0.113.8', network: '203.0.113.0/24', outcome: 'NOT_FOUND' }),
      event({ workspaceId: ws, ip: '198.51.100.1', network: '198.51.100.0/24' }),
      event({ workspaceId: ws, ip: null, network: null }),
      event({ workspaceId: ws, ip: '192.0.2.1', network: '192.0.2.0/24', ts: T0 + HOUR }),
    ]);
    const range = { workspaceId: ws, from: T0, to: T0 + HOUR, limit: 10 };
    expect(await repos.topSources({ ...range, by: 'network' })).toEqual([
      { subject: '203.0.113.0/24', count: 3 },
      { subject: '198.51.100.0/24', count: 1 },
    ]);
    expect(await repos.topSources({ ...range, by: 'ip' })).toEqual([
      { subject: '203.0.113.8', count: 2 },
      { subject: '198.51.100.1', count: 1 },
      { subject: '203.0.113.7', count: 1 },
    ]);
    expect(await repos.topSources({ ...range, by: 'ip', outcome: 'NOT_FOUND' })).toEqual([{ subject: '203.0.113.8', count: 1 }]);
    expect(await repos.topSources({ ...range, by: 'ip', limit: 1 })).toEqual([{ subject: '203.0.113.8', count: 2 }]);

    // A stored event standing for several verifications counts as each of them.
    await repos.insertUsageEvents([event({ workspaceId: ws, ip: '203.0.113.7', network: '203.0.113.0/24', ts: T0 + 1, count: 40 })]);
    expect(await repos.topSources({ ...range, by: 'ip', limit: 2 })).toEqual([
      { subject: '203.0.113.7', count: 41 },
      { subject: '203.0.113.8', count: 2 },
    ]);
    expect(await repos.topSources({ ...range, by: 'network', limit: 1 })).toEqual([{ subject: '203.0.113.0/24', count: 43 }]);
  });

  it('keeps the count of a stored event that stands for several verifications', async () => {
    const ws = 'ws_counts';
    const many = event({ workspaceId: ws, count: 2_500_000 });
    await repos.insertUsageEvents([many, event({ workspaceId: ws, ts: T0 + 1 })]);
    await repos.transaction((tx) => tx.insertUsageEvents([event({ workspaceId: ws, ts: T0 + 2, count: 7 })]));
    const listed = await repos.listUsageEvents({ workspaceId: ws, from: T0, to: T0 + 10, limit: 10 });
    expect(listed.map((e) => e.count)).toEqual([7, undefined, 2_500_000]);
    expect(listed[2]).toEqual(many);
    expect((await repos.scanUsageEvents(T0, T0 + 10, 10_000)).filter((e) => e.workspaceId === ws).map((e) => e.count)).toEqual([
      2_500_000,
      undefined,
      7,
    ]);
  });

  it('keeps the latest time a key’s grant was needed for a scope, and lists those since a time', async () => {
    await repos.touchScopeUsage([
      { keyId: 'key_s1', scope: 'docs:read', ts: T0 },
      { keyId: 'key_s1', scope: 'docs:read', ts: T0 + 5 },
      { keyId: 'key_s1', scope: 'docs:read', ts: T0 + 2 },
      { keyId: 'key_s1', scope: 'billing:read', ts: T0 - HOUR },
      { keyId: 'key_s2', scope: 'docs:read', ts: T0 },
    ]);
    await repos.transaction((tx) => tx.touchScopeUsage([{ keyId: 'key_s1', scope: 'docs:read', ts: T0 + 1 }]));
    const uses = await repos.listScopeUsage(['key_s1', 'key_s2', 'key_none'], T0 - 1);
    expect(uses.sort((a, b) => (a.keyId + a.scope < b.keyId + b.scope ? -1 : 1))).toEqual([
      { keyId: 'key_s1', scope: 'docs:read', lastUsedAt: T0 + 5 },
      { keyId: 'key_s2', scope: 'docs:read', lastUsedAt: T0 },
    ]);
    expect(await repos.listScopeUsage(['key_s1'], T0 - HOUR)).toHaveLength(2);
    expect(await repos.listScopeUsage([], 0)).toEqual([]);
    // More keys than one statement takes.
    const many = Array.from({ length: 1200 }, (_, i) => ({ keyId: `key_m${String(i).padStart(4, '0')}`, scope: 'x', ts: T0 }));
    await repos.touchScopeUsage(many);
    expect(
      await repos.listScopeUsage(
        many.map((u) => u.keyId),
        T0,
      ),
    ).toHaveLength(1200);
  });

  it('purges raw events before a time and roll-ups of each granularity before their own cut-off', async () => {
    const ws = 'ws_purge';
    const before = (await repos.scanUsageEvents(0, T0 - 10 * HOUR, 100_000)).length;
    await repos.insertUsageEvents([
      event({ workspaceId: ws, ts: T0 - 20 * HOUR }),
      event({ workspaceId: ws, ts: T0 - 11 * HOUR }),
      event({ workspaceId: ws, ts: T0 - 10 * HOUR }),
    ]);
    const rollup = (granularity: 'minute' | 'hour' | 'day', bucket: number) => ({
      workspaceId: ws,
      granularity,
      bucket,
      dimension: 'workspace' as const,
      subject: ws,
      outcome: 'VALID',
      count: 1,
      cost: 1,
    });
    await repos.addRollups([
      rollup('minute', T0 - 3 * HOUR),
      rollup('minute', T0 - HOUR),
      rollup('hour', T0 - 3 * HOUR),
      rollup('day', T0 - 30 * HOUR),
    ]);
    expect(await repos.purgeUsage(T0 - 10 * HOUR, { minute: T0 - 2 * HOUR, hour: T0 - 4 * HOUR, day: T0 - 40 * HOUR })).toBe(before + 2);
    expect((await repos.listUsageEvents({ workspaceId: ws, from: 0, to: T0, limit: 10 })).map((e) => e.ts)).toEqual([T0 - 10 * HOUR]);
    const left = async (granularity: 'minute' | 'hour' | 'day') =>
      (await repos.queryRollups({ workspaceId: ws, granularity, dimension: 'workspace', subject: ws, from: 0, to: T0 })).map(
        (r) => r.bucket,
      );
    expect(await left('minute')).toEqual([T0 - HOUR]);
    expect(await left('hour')).toEqual([T0 - 3 * HOUR]);
    expect(await left('day')).toEqual([T0 - 30 * HOUR]);
  });
});
