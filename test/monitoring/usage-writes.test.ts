import { ManualClock, MemoryKeyring, UsageRecorder, type UsageEvent, type VerifyCode } from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';

/**
 * The usage recorder's two rhythms on a real store: the detectors read every batch when it is
 * taken, and what analytics keeps is written on its own, slower interval, several batches in one
 * transaction, without losing or doubling a count.
 */
describe.each(DIALECTS)('usage writes (%s)', (dialect) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
  });
  afterAll(() => db.drop());

  const T0 = Date.parse('2026-03-02T10:00:00Z');
  const setup = (workspaceId: string, maxStoredPerFlush = 50_000) => {
    const clock = new ManualClock(T0);
    const recorder = new UsageRecorder(
      { store: db.ports.monitoring, keyring: MemoryKeyring.generate(), clock },
      { storeIntervalMs: 5000, maxStoredPerFlush },
    );
    const read: UsageEvent[][] = [];
    recorder.onBatch((events) => void read.push([...events]));
    const verify = (keyId: string, code: VerifyCode = 'VALID') =>
      recorder.record(
        { key: 'not used', workspaceId, ip: '192.0.2.1' },
        { valid: code === 'VALID', code, keyId, keyspaceId: 'ks_w', ownerId: 'owner_w' },
      );
    const stored = async () =>
      (await db.ports.monitoring.listUsageEvents({ workspaceId, from: T0 - 1, to: T0 + 3_600_000, limit: 1000 })).reduce(
        (n, e) => n + (e.count ?? 1),
        0,
      );
    const rolledUp = async (keyId: string) =>
      (
        await db.ports.monitoring.queryRollups({
          workspaceId,
          granularity: 'hour',
          dimension: 'key',
          subject: keyId,
          from: T0 - 3_600_000,
          to: T0 + 3_600_000,
        })
      ).reduce((n, r) => n + r.count, 0);
    return { clock, recorder, read, verify, stored, rolledUp };
  };

  it('lets the detectors read each batch at once, and writes the batches together once the interval has passed', async () => {
    const { clock, recorder, read, verify, stored, rolledUp } = setup('ws_rhythm');
    for (let second = 0; second < 4; second++) {
      for (let i = 0; i < 10; i++) verify('key_busy');
      verify(`key_${second}`, 'RATE_LIMITED');
      await recorder.flush(false); // the timer's call
      clock.advance(1000);
    }
    expect(read.map((batch) => batch.length)).toEqual([11, 11, 11, 11]);
    expect(await stored()).toBe(0); // 3 s since the first unwritten batch: not yet
    expect(recorder.stats.stored).toBe(0);

    clock.advance(1000);
    verify('key_busy');
    await recorder.flush(false); // 5 s: this batch and the four before it, in one transaction
    expect(read).toHaveLength(5);
    expect(await stored()).toBe(45);
    expect(await rolledUp('key_busy')).toBe(41);
    expect(await rolledUp('key_2')).toBe(1);
    expect(recorder.stats).toMatchObject({ recorded: 45, stored: 45, lost: 0, dropped: 0 });

    // Nothing new: the timer's call writes nothing twice.
    clock.advance(10_000);
    await recorder.flush(false);
    expect(await stored()).toBe(45);
    expect(await rolledUp('key_busy')).toBe(41);
  });

  it('counts alike verifications of a second on one event, and still stores, rolls up and shows the detectors every one', async () => {
    const { clock, recorder, read, stored, rolledUp } = setup('ws_alike');
    const perSecond = new Map<number, number>();
    const verify = (keyId: string, ip: string, cost?: number) => {
      recorder.record(
        { key: 'not used', workspaceId: 'ws_alike', ip, ...(cost !== undefined && { cost }) },
        { valid: true, code: 'VALID', keyId, keyspaceId: 'ks_w', ownerId: 'owner_w' },
      );
      if (keyId === 'key_hot') perSecond.set(Math.floor(clock.now() / 1000), (perSecond.get(Math.floor(clock.now() / 1000)) ?? 0) + 1);
    };
    // 3,000 calls of one key over two batches, the clock 400 ms on every 500 calls, so a second
    // boundary falls inside a run of alike calls. Every tenth comes from another address, every
    // hundredth spends 5 credits.
    for (let batch = 0; batch < 2; batch++) {
      for (let i = 0; i < 1500; i++) {
        verify('key_hot', i % 10 === 0 ? '198.51.100.7' : '192.0.2.1', i % 100 === 0 ? 5 : undefined);
        if (i % 500 === 494) clock.advance(400);
      }
      verify('key_cold', '192.0.2.1');
      await recorder.flush(false);
    }
    // The detectors read one event per verification…
    expect(read.map((b) => b.length)).toEqual([1501, 1501]);
    expect(read.flat().filter((e) => e.keyId === 'key_hot')).toHaveLength(3000);
    expect(read.flat().filter((e) => e.ip === '198.51.100.7')).toHaveLength(300);
    // …from batches that held far fewer objects.
    expect(new Set(read.flat()).size).toBeLessThan(700);

    await recorder.flush();
    expect(await stored()).toBe(3002);
    expect(await rolledUp('key_hot')).toBe(3000);
    expect(await rolledUp('key_cold')).toBe(2);
    // Each stored event stands for calls of its own second only.
    const rows = await db.ports.monitoring.listUsageEvents({ workspaceId: 'ws_alike', from: T0 - 1, to: T0 + 3_600_000, limit: 10_000 });
    const storedPerSecond = new Map<number, number>();
    for (const r of rows.filter((r) => r.keyId === 'key_hot'))
      storedPerSecond.set(Math.floor(r.ts / 1000), (storedPerSecond.get(Math.floor(r.ts / 1000)) ?? 0) + (r.count ?? 1));
    expect([...storedPerSecond].sort()).toEqual([...perSecond].sort());
    expect(perSecond.size).toBe(3);
    const credits = await db.ports.monitoring.queryRollups({
      workspaceId: 'ws_alike',
      granularity: 'day',
      dimension: 'key',
      subject: 'key_hot',
      from: T0 - 86_400_000,
      to: T0 + 86_400_000,
    });
    // 30 calls spent 5 credits, the other 2,970 one each.
    expect(credits.reduce((n, r) => n + r.cost, 0)).toBe(30 * 5 + 2970);
    expect(recorder.stats).toMatchObject({ recorded: 3002, stored: 3002, lost: 0, dropped: 0 });
  });

  it('counts a flood of unknown keys from one address on one event once its keys are past looking up, every one still seen', async () => {
    const { recorder, read, stored } = setup('ws_flood');
    const unknown = (ip: string) =>
      recorder.record({ key: `sk_unknown_${Math.random()}`, workspaceId: 'ws_flood', ip }, { valid: false, code: 'NOT_FOUND' });
    for (let i = 0; i < 1000; i++) unknown(i % 2 === 0 ? '203.0.113.9' : '203.0.113.10');
    await recorder.flush();
    expect(read[0]).toHaveLength(1000);
    expect(read[0]!.filter((e) => e.ip === '203.0.113.9')).toHaveLength(500);
    // The first 100 are looked up as possibly deleted keys, one event each; the other 900 share two.
    expect(new Set(read[0]).size).toBe(102);
    expect(await stored()).toBe(1000);
  });

  it('a full batch drops verifications that need an event of their own, and still counts those alike to one it holds', async () => {
    const clock = new ManualClock(T0);
    const recorder = new UsageRecorder({ store: db.ports.monitoring, keyring: MemoryKeyring.generate(), clock }, { maxBuffered: 3 });
    const read: UsageEvent[][] = [];
    recorder.onBatch((events) => void read.push([...events]));
    const verify = (keyId: string) =>
      recorder.record({ key: 'not used', workspaceId: 'ws_full_batch', ip: '192.0.2.1' }, { valid: true, code: 'VALID', keyId });
    for (const keyId of ['key_a', 'key_b', 'key_c', 'key_d', 'key_a', 'key_c', 'key_e']) verify(keyId);
    await recorder.flush(false);
    expect(recorder.stats).toMatchObject({ recorded: 5, dropped: 2 });
    expect(read[0]!.map((e) => e.keyId).sort()).toEqual(['key_a', 'key_a', 'key_b', 'key_c', 'key_c']);
    await recorder.stop();
  });

  it('writes at once, without waiting for the interval, when a batch leaves as many rows as one write may hold', async () => {
    const { recorder, verify, stored } = setup('ws_full', 5);
    for (let i = 0; i < 4; i++) verify(`key_${i}`);
    await recorder.flush(false);
    expect(await stored()).toBe(0); // 4 rows wait
    for (let i = 0; i < 7; i++) verify(`key_${i}`); // 7 more rows, of which 5 are kept
    await recorder.flush(false);
    expect(await stored()).toBe(9);
    expect(recorder.stats).toMatchObject({ recorded: 11, stored: 9, lost: 0 });
  });

  it('writes what waits when nothing new comes once the interval has passed, and at once on flush() and stop()', async () => {
    const { clock, recorder, verify, stored } = setup('ws_quiet');
    verify('key_q');
    await recorder.flush(false);
    expect(await stored()).toBe(0);
    clock.advance(5000);
    await recorder.flush(false); // an empty batch, but the unwritten one is due
    expect(await stored()).toBe(1);

    verify('key_q');
    verify('key_q');
    await recorder.flush(); // what tests and shutdown call: written at once
    expect(await stored()).toBe(3);

    verify('key_q');
    await recorder.flush(false);
    await recorder.stop();
    expect(await stored()).toBe(4);
    expect(recorder.stats).toMatchObject({ recorded: 4, stored: 4, lost: 0 });
  });
});
