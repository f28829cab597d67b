import type { InsertResult, Kysely, Selectable, UpdateResult } from 'kysely';
import type { Column } from './record-columns.js';

/**
 * What the table adapters read and write the same way: a row by its columns' values, rows by them in
 * order, a count, an insert that loses quietly to a row already there, a column set once or raised,
 * a work queue's due rows, expired rows deleted, and whether a write found its row.
 */

/** A loose view of any handle, for the few queries written once for every table. */
type AnyTables = Kysely<Record<string, Record<string, unknown>>>;
type ColumnOf<DB, T extends keyof DB> = keyof DB[T] & string;

/** A BIGINT column that may be null, as a number (PostgreSQL hands int8 over as a string when it is not parsed). */
export function nullableNumber(v: number | null): number | null {
  return v === null ? null : Number(v);
}

/** A boolean kept as a 0/1 integer (SQLite has no boolean). */
export const flagColumn = (name: string): Column<boolean> => ({ name, read: (raw) => raw === 1, write: (value) => (value ? 1 : 0) });

/** A value kept as JSON text, or null. */
export const nullableJsonColumn = <V>(name: string): Column<V | null> => ({
  name,
  read: (raw) => (raw === null ? null : (JSON.parse(raw as string) as V)),
  write: (value) => (value === null ? null : JSON.stringify(value)),
});

/** The row of `table` whose columns hold the values of `where`, mapped; undefined when there is none. */
export async function rowWhere<DB, T extends keyof DB & string, R>(
  db: Kysely<DB>,
  table: T,
  where: Partial<Record<ColumnOf<DB, T>, string | number>>,
  map: (row: Selectable<DB[T]>) => R,
): Promise<R | undefined> {
  const row = await matching(db, table, where).executeTakeFirst();
  return row && map(row as Selectable<DB[T]>);
}

/** The rows of `table` whose columns hold the values of `where`, ordered by `orderBy`, mapped. */
export async function rowsWhere<DB, T extends keyof DB & string, R>(
  db: Kysely<DB>,
  table: T,
  where: Partial<Record<ColumnOf<DB, T>, string | number>>,
  orderBy: ColumnOf<DB, T>,
  map: (row: Selectable<DB[T]>) => R,
): Promise<R[]> {
  const rows = await matching(db, table, where).orderBy(orderBy).execute();
  return rows.map((row) => map(row as Selectable<DB[T]>));
}

/** How many rows `table` holds. */
export async function countRows<DB>(db: Kysely<DB>, table: keyof DB & string): Promise<number> {
  const row = await (db as unknown as AnyTables)
    .selectFrom(table as string)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

function matching<DB>(db: Kysely<DB>, table: string, where: Partial<Record<string, string | number>>) {
  let query = (db as unknown as AnyTables).selectFrom(table).selectAll();
  for (const [column, value] of Object.entries(where)) query = query.where(column, '=', value);
  return query;
}

/** Inserts one row (the columns a record's RecordColumns wrote). */
export async function insertRow<DB>(db: Kysely<DB>, table: keyof DB & string, row: Record<string, unknown>): Promise<void> {
  await (db as unknown as AnyTables).insertInto(table).values(row).execute();
}

/** Inserts `row` unless a row with the same `key` columns exists (another node was first); whether it did. */
export async function insertIfAbsent<DB, T extends keyof DB & string>(
  db: Kysely<DB>,
  table: T,
  row: Selectable<DB[T]>,
  key: readonly ColumnOf<DB, T>[],
): Promise<boolean> {
  const r = await (db as unknown as AnyTables)
    .insertInto(table)
    .values(row as Record<string, unknown>)
    .onConflict((oc) => oc.columns(key).doNothing())
    .executeTakeFirst();
  return wroteOne(r);
}

/**
 * Sets `column` to `at` (and the columns of `also`) on the row of `table` whose columns hold the
 * values of `where`, if `column` is still null: a one-time row spent, a family revoked. Whether this
 * call was the one that set it.
 */
export async function markOnce<DB, T extends keyof DB & string>(
  db: Kysely<DB>,
  table: T,
  where: Partial<Record<ColumnOf<DB, T>, string | number>>,
  column: ColumnOf<DB, T>,
  at: number,
  also: Partial<Record<ColumnOf<DB, T>, unknown>> = {},
): Promise<boolean> {
  const query = updating(db, table, where, { [column]: at, ...also }).where(column, 'is', null);
  return wroteOne(await query.executeTakeFirst());
}

/**
 * Raises `column` to `value` (and sets the columns of `also`) on the row of `table` whose columns
 * hold the values of `where`, if `column` is null or below `value`: a TOTP step spent once, never
 * one already passed. Whether this call raised it.
 */
export async function raiseColumn<DB, T extends keyof DB & string>(
  db: Kysely<DB>,
  table: T,
  where: Partial<Record<ColumnOf<DB, T>, string | number>>,
  column: ColumnOf<DB, T>,
  value: number,
  also: Partial<Record<ColumnOf<DB, T>, unknown>> = {},
): Promise<boolean> {
  const query = updating(db, table, where, { [column]: value, ...also }).where((eb) =>
    eb.or([eb(column as string, 'is', null), eb(column as string, '<', value)]),
  );
  return wroteOne(await query.executeTakeFirst());
}

function updating<DB>(db: Kysely<DB>, table: string, where: Partial<Record<string, string | number>>, values: Record<string, unknown>) {
  let query = (db as unknown as AnyTables).updateTable(table).set(values);
  for (const [name, value] of Object.entries(where)) query = query.where(name, '=', value);
  return query;
}

/**
 * A work queue's due rows: those of `table` whose `next_attempt_at` is at or before `now` (and,
 * with `state`, whose state column holds one of the states named), longest due first, then by
 * `key`; at most `limit`, mapped.
 */
export async function dueRows<DB, T extends keyof DB & string, R>(
  db: Kysely<DB>,
  table: T,
  q: { now: number; key: ColumnOf<DB, T>; limit: number; state?: readonly [ColumnOf<DB, T>, readonly string[]] },
  map: (row: Selectable<DB[T]>) => R,
): Promise<R[]> {
  let query = (db as unknown as AnyTables).selectFrom(table as string).selectAll();
  if (q.state !== undefined) query = query.where(q.state[0] as string, 'in', q.state[1]);
  const rows = await query.where('next_attempt_at', '<=', q.now).orderBy('next_attempt_at').orderBy(q.key).limit(q.limit).execute();
  return rows.map((row) => map(row as Selectable<DB[T]>));
}

/** Deletes the rows of `table` whose `expires_at` is at or before `before`. */
export async function deleteExpired<DB>(db: Kysely<DB>, table: keyof DB & string, before: number): Promise<void> {
  await (db as unknown as AnyTables)
    .deleteFrom(table as string)
    .where('expires_at', '<=', before)
    .execute();
}

/** Whether an insert or a compare-and-set update wrote exactly one row. */
export function wroteOne(r: InsertResult | UpdateResult): boolean {
  return Number('numUpdatedRows' in r ? r.numUpdatedRows : (r.numInsertedOrUpdatedRows ?? 0)) === 1;
}
