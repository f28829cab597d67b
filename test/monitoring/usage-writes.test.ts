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
