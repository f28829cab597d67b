import SqliteDatabase from 'better-sqlite3';
import type { Progress } from './backup-archive.js';
import { readSnapshotFacts, type SnapshotFacts } from './snapshot-facts.js';

/** Pages copied per step while nothing else writes: about 4 MiB, so progress moves and nobody waits. */
const STEP_PAGES = 1024;

/**
 * Copies a live SQLite database with SQLite's online backup API while the server keeps serving.
 * In WAL mode a reader never blocks writers, and the copy is a consistent snapshot of one
 * moment. A write by another process restarts an incremental copy, so after the first restart
 * the rest is copied in one step: one read transaction, during which the server still writes
 * (to the WAL) and this process only waits.
 */
export async function snapshotSqlite(
  source: string,
  dest: string,
  progress?: Progress,
): Promise<{ pages: number; restarts: number; facts: SnapshotFacts }> {
  const db = new SqliteDatabase(source, { readonly: true, fileMustExist: true });
  let restarts = 0;
  let pages = 0;
  try {
    db.pragma('busy_timeout = 5000');
    let lastRemaining = Infinity;
    const result = await db.backup(dest, {
      progress: ({ totalPages, remainingPages }) => {
        if (remainingPages > lastRemaining) restarts++;
        lastRemaining = remainingPages;
        pages = totalPages;
        progress?.(totalPages - remainingPages, totalPages);
        return restarts > 0 ? 0x7fffffff : STEP_PAGES;
      },
    });
    pages = result.totalPages;
    progress?.(pages, pages);
  } finally {
    db.close();
  }
  // The copy keeps the source's WAL flag; a plain rollback-journal file opens read-only anywhere.
  const copy = new SqliteDatabase(dest, { fileMustExist: true });
  try {
    copy.pragma('journal_mode = DELETE');
    return { pages, restarts, facts: await readSnapshotFacts(async (sql) => copy.prepare(sql).all() as Record<string, unknown>[]) };
  } finally {
    copy.close();
  }
}

/** SQLite's own check of a database file, opened read-only. */
export function sqliteIntegrity(file: string): { ok: boolean; detail: string } {
  const db = new SqliteDatabase(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db.pragma('integrity_check') as { integrity_check: string }[];
    const detail = rows.map((r) => r.integrity_check).join('; ');
    return { ok: detail === 'ok', detail };
  } finally {
    db.close();
  }
}

/** Reads the facts of a snapshot file, read-only. */
export async function sqliteFacts(file: string): Promise<SnapshotFacts> {
  const db = new SqliteDatabase(file, { readonly: true, fileMustExist: true });
  try {
    return await readSnapshotFacts(async (sql) => db.prepare(sql).all() as Record<string, unknown>[]);
  } finally {
    db.close();
  }
}
