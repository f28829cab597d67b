import type SqliteDatabase from 'better-sqlite3';
import type { SqliteDatabase as KyselySqliteDatabase } from 'kysely';

/** Enough for every query Tessera makes; past it the oldest statement is dropped. */
const MAX_STATEMENTS = 512;

/**
 * The database as Kysely's SQLite dialect sees it, with its statements kept. Kysely prepares every
 * query anew, and better-sqlite3 compiles the SQL each time: for a point lookup that compile costs
 * more than the lookup itself. A statement is reused only when idle (one that an iterator is still
 * reading is busy), and SQLite recompiles a kept statement by itself after a schema change.
 */
export function keepStatements(db: SqliteDatabase.Database, max = MAX_STATEMENTS): KyselySqliteDatabase {
  const kept = new Map<string, SqliteDatabase.Statement>();
  return {
    prepare(sql) {
      const known = kept.get(sql);
      if (known !== undefined && !known.busy) return known;
      const statement = db.prepare(sql);
      if (known === undefined) {
        if (kept.size >= max) kept.delete(kept.keys().next().value!);
        kept.set(sql, statement);
      }
      return statement;
    },
    close() {
      kept.clear();
      db.close();
    },
  };
}
