import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { KyselyStore } from '@tessera/store';
import { afterAll, describe, expect, it } from 'vitest';
import { snapshotSqlite, sqliteIntegrity } from '../../apps/server/src/backup/sqlite-snapshot.js';

/**
 * SQLite restarts an incremental online backup whenever another connection writes. Under steady
 * writes a copy in small steps would never finish; after the first restart the rest is copied in
 * one step, and the result is a consistent snapshot of one moment.
 */
describe('the SQLite snapshot under steady writes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-snapshot-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finishes after a restart, and holds every row committed before it began', async () => {
    const file = join(dir, 'tessera.db');
    const store = KyselyStore.open({ kind: 'sqlite', file });
    await store.migrate();
    await store.close();
    const writer = new SqliteDatabase(file);
    writer.pragma('journal_mode = WAL');
    writer.exec('create table filler (id integer primary key, body blob not null)');
    const insert = writer.prepare('insert into filler (body) values (?)');
    // About 12 MiB: some 3000 pages, more than one step of the incremental copy.
    writer.transaction(() => {
      for (let i = 0; i < 3000; i++) insert.run(randomBytes(4000));
    })();
    const before = (writer.prepare('select count(*) as n from filler').get() as { n: number }).n;

    let writing = true;
    let written = 0;
    const loop = () => {
      if (!writing) return;
      insert.run(randomBytes(4000));
      written++;
      setImmediate(loop);
    };
    setImmediate(loop);
    const dest = join(dir, 'snapshot.db');
    const snapshot = await snapshotSqlite(file, dest);
    writing = false;
    writer.close();

    expect(written).toBeGreaterThan(0);
    expect(snapshot.restarts).toBeGreaterThan(0);
    expect(sqliteIntegrity(dest)).toEqual({ ok: true, detail: 'ok' });
    const copy = new SqliteDatabase(dest, { readonly: true });
    const rows = (copy.prepare('select count(*) as n from filler').get() as { n: number }).n;
    const mode = copy.pragma('journal_mode', { simple: true });
    copy.close();
    expect(rows).toBeGreaterThanOrEqual(before);
    expect(rows).toBeLessThanOrEqual(before + written);
    expect(mode).toBe('delete');
    expect(snapshot.facts.migration.count).toBeGreaterThan(0);
  }, 60_000);
});
