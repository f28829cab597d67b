import type { MonitoringStore } from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../support/databases.js';

/** The notice port, every method, on every backend. */
describe.each(DIALECTS)('notice repos contract (%s)', (dialect) => {
  let db: TestDatabase;
  let repos: MonitoringStore;
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    repos = db.ports.monitoring;
  });
  afterAll(() => db.drop());

  const notice = (kind: string, subject: string, createdAt = 1_000, data: Record<string, unknown> = {}) => ({
    kind,
    subject,
    workspaceId: 'ws_notices',
    createdAt,
    data,
  });

  it('records a notice the first time only, per kind and subject', async () => {
    expect(await repos.recordNotice(notice('expiring', 'key_a:5'))).toBe(true);
    expect(await repos.recordNotice(notice('expiring', 'key_a:5', 2_000))).toBe(false);
    expect(await repos.recordNotice(notice('expiring', 'key_a:6'))).toBe(true);
    expect(await repos.transaction((tx) => tx.recordNotice(notice('credits_low', 'key_a:5')))).toBe(true);
    expect(await repos.getNotice('expiring', 'key_a:5')).toEqual({ createdAt: 1_000, data: {} });
  });

  it('reads a notice’s time and data back exactly; an unknown one is undefined', async () => {
    const data = { expiresAt: 1_790_000_000_000, previousExpiresAt: null, note: 'żółw 🐢', nested: { list: [1, 'two'] } };
    await repos.recordNotice(notice('auto_expire', 'key_b', 5_000, data));
    expect(await repos.getNotice('auto_expire', 'key_b')).toEqual({ createdAt: 5_000, data });
    expect(await repos.getNotice('auto_expire', 'key_none')).toBeUndefined();
    expect(await repos.getNotice('expiring', 'key_b')).toBeUndefined();
  });

  it('deletes a notice, so it can be given again', async () => {
    await repos.recordNotice(notice('auto_expire', 'key_c'));
    await repos.transaction((tx) => tx.deleteNotice('auto_expire', 'key_c'));
    expect(await repos.getNotice('auto_expire', 'key_c')).toBeUndefined();
    await repos.deleteNotice('auto_expire', 'key_c');
    expect(await repos.recordNotice(notice('auto_expire', 'key_c', 7_000))).toBe(true);
    expect(await repos.getNotice('auto_expire', 'key_c')).toEqual({ createdAt: 7_000, data: {} });
  });
});
