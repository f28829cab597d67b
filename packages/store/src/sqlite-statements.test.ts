import SqliteDatabase from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { keepStatements } from './sqlite-statements.js';

describe('kept SQLite statements', () => {
  it('gives back the same statement for the same SQL, a fresh one while it is busy, and holds at most max', () => {
    const db = new SqliteDatabase(':memory:');
    db.exec('create table t (n integer); insert into t values (1), (2), (3)');
    const kept = keepStatements(db, 2);
    const a = kept.prepare('select n from t order by n');
    expect(kept.prepare('select n from t order by n')).toBe(a);
    expect(a.all([])).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);

    // An iterator holds the statement busy: the same SQL meanwhile gets a statement of its own.
    const rows = a.iterate([]);
    expect(rows.next().value).toEqual({ n: 1 });
    const b = kept.prepare('select n from t order by n');
    expect(b).not.toBe(a);
    expect(b.all([])).toHaveLength(3);
    rows.return?.();
    expect(kept.prepare('select n from t order by n')).toBe(a);

    // A schema change is absorbed by SQLite itself.
    db.exec('alter table t add column m integer');
    expect(kept.prepare('select * from t where n = ?').all([2])).toEqual([{ n: 2, m: null }]);

    // Past the bound the oldest goes: the first query is compiled anew.
    kept.prepare('select count(*) as c from t');
    expect(kept.prepare('select n from t order by n')).not.toBe(a);
    kept.close();
    expect(db.open).toBe(false);
  });
});
