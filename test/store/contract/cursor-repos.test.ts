import type { MonitoringStore } from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../support/databases.js';

/** The cursor port, every method, on every backend. */
describe.each(DIALECTS)('cursor repos contract (%s)', (dialect) => {
  let db: TestDatabase;
  let repos: MonitoringStore;
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    repos = db.ports.monitoring;
  });
  afterAll(() => db.drop());

  it('creates a cursor once, then moves it only from where it stands (compare-and-set)', async () => {
    expect(await repos.getCursor('feed')).toBeUndefined();
    expect(await repos.advanceCursor('feed', undefined, 10)).toBe(true);
    expect(await repos.advanceCursor('feed', undefined, 99)).toBe(false); // another node created it first
    expect(await repos.getCursor('feed')).toBe(10);
    expect(await repos.advanceCursor('feed', 9, 20)).toBe(false);
    expect(await repos.transaction((tx) => tx.advanceCursor('feed', 10, 2 ** 40))).toBe(true);
    expect(await repos.getCursor('feed')).toBe(2 ** 40);
    expect(await repos.advanceCursor('other', 0, 1)).toBe(false); // not created
    expect(await repos.getCursor('other')).toBeUndefined();
  });

  it('lets one of many nodes advancing at once win', async () => {
    await repos.advanceCursor('race', undefined, 0);
    const wins = await Promise.all(Array.from({ length: 8 }, (_, i) => repos.advanceCursor('race', 0, i + 1)));
    expect(wins.filter(Boolean)).toHaveLength(1);
    expect(await repos.getCursor('race')).toBe(wins.indexOf(true) + 1);
  });
});
