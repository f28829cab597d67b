import { sql, type Kysely, type RawBuilder } from 'kysely';
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

/** A row without the columns a partial record left undefined: what an update sets. */
export function definedColumns<R extends object>(row: R): Partial<R> {
  return Object.fromEntries(Object.entries(row).filter(([, v]) => v !== undefined)) as Partial<R>;
}

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
