import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Column, RecordColumns } from '../record-columns.js';
import type { Database } from '../schema.js';
import type { MonitoringTables } from './monitoring-schema.js';

/** What every monitoring adapter is opened over: the whole database, or one transaction (Kysely's Transaction is a Kysely). */
export type MonitoringDb = Kysely<MonitoringTables & Database>;

export type Dialect = 'sqlite' | 'postgres';

/** Items in groups of `size`, for statements with a bounded number of rows. */
export function chunks<X>(items: readonly X[], size: number): X[][] {
  const out: X[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A number column (PostgreSQL's bigint arrives as a string). */
export const num = (v: unknown): number => Number(v);
export const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** Free text cut to a column's size; PostgreSQL's text cannot hold U+0000, so it is dropped. */
export function clip(v: string | null, max: number): string | null {
  if (v === null) return null;
  const s = v.includes('\u0000') ? v.replaceAll('\u0000', '') : v;
  return s.length > max ? s.slice(0, max) : s;
}

/** The larger of a column and a value, in the dialect's words. */
export function greatest(dialect: Dialect, column: RawBuilder<unknown>, value: RawBuilder<unknown> | number): RawBuilder<number> {
  return dialect === 'postgres' ? sql<number>`greatest(${column}, ${value})` : sql<number>`max(${column}, ${value})`;
}

/** True when a compare-and-set update or delete changed one row. */
export const changedOne = (r: { numUpdatedRows?: bigint; numDeletedRows?: bigint }): boolean =>
  Number(r.numUpdatedRows ?? r.numDeletedRows ?? 0) === 1;

/** True when an insert that does nothing on conflict inserted its row. */
export const insertedOne = (r: { numInsertedOrUpdatedRows?: bigint | undefined }): boolean => Number(r.numInsertedOrUpdatedRows ?? 0) === 1;

/** A flag kept as 0 or 1. */
export const flagColumn = (name: string): Column<boolean> => ({ name, read: (raw) => raw === 1, write: (value) => (value ? 1 : 0) });

/** Text cut to its column's size when written. */
export const clippedColumn = (name: string, max: number): Column<string> => ({
  name,
  read: (raw) => raw as string,
  write: (value) => value.slice(0, max),
});

/** A value kept as JSON text, or null. */
export const nullableJsonColumn = <V>(name: string): Column<V | null> => ({
  name,
  read: (raw) => (raw === null ? null : (JSON.parse(raw as string) as V)),
  write: (value) => (value === null ? null : JSON.stringify(value)),
});

/** Orders rows by their conflict key (strings by code unit, numbers by value), as the lock order. */
export function compareKeys(a: readonly (string | number)[], b: readonly (string | number)[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x < y) return -1;
    if (x > y) return 1;
  }
  return 0;
}

/** Any table, as far as `recordTable` needs to know. */
type Tables = Record<string, Record<string, unknown>>;

/**
 * The three statements every table of records keyed by `id` shares, told once: insert a record,
 * read one by id, change the fields a patch sets.
 */
export function recordTable<R>(handle: MonitoringDb, table: keyof MonitoringTables, columns: RecordColumns<R>) {
  const db = handle as unknown as Kysely<Tables>;
  return {
    async insert(record: R): Promise<void> {
      await db.insertInto(table).values(columns.write(record)).execute();
    },
    async get(id: string): Promise<R | undefined> {
      const row = await db.selectFrom(table).selectAll().where('id', '=', id).executeTakeFirst();
      return row && columns.read(row);
    },
    async update(id: string, patch: Partial<R>): Promise<void> {
      const row = columns.write(patch);
      if (Object.keys(row).length > 0) await db.updateTable(table).set(row).where('id', '=', id).execute();
    },
  };
}
