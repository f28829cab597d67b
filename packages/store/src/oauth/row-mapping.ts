import type { Kysely, Selectable } from 'kysely';

/**
 * Mapping between a record and its row, told once as a table of columns instead of written out
 * twice (to the row and from it) for every table; with the two statements every table of records
 * has, inserting one and reading one by a column.
 */

/**
 * How a field is kept in its column: as it is; a number (PostgreSQL answers bigint columns as
 * strings); JSON text; a 0/1 flag (SQLite has no boolean). `?` marks a column that may be null.
 */
export type Codec = 'value' | 'number' | 'number?' | 'json' | 'json?' | 'flag';

/** A field's name as its column's: `accessTokenTtl` is kept in `access_token_ttl`. */
type SnakeCase<S extends string> = S extends `${infer H}${infer T}`
  ? `${H extends Lowercase<H> ? H : `_${Lowercase<H>}`}${SnakeCase<T>}`
  : S;

/** For each field of the record, how it is kept in its column, the field's name in snake case (which must be a column of the row). */
export type Columns<R, Row> = { readonly [F in keyof R & string]-?: SnakeCase<F> extends keyof Row ? Codec : never };

function snakeCase(field: string): string {
  return field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

export interface RowMapping<R, Row> {
  fromRow(row: Row): R;
  /** The columns of the fields given; fields left out (undefined) are left out. */
  toRow(record: Partial<R>): Partial<Row>;
}

function decode(codec: Codec, v: unknown): unknown {
  if (v === null && codec.endsWith('?')) return null;
  switch (codec) {
    case 'number':
    case 'number?':
      return Number(v);
    case 'json':
    case 'json?':
      return JSON.parse(v as string);
    case 'flag':
      return v === 1;
    default:
      return v;
  }
}

function encode(codec: Codec, v: unknown): unknown {
  if (v === null && codec.endsWith('?')) return null;
  if (codec === 'json' || codec === 'json?') return JSON.stringify(v);
  if (codec === 'flag') return v ? 1 : 0;
  return v;
}

/** The tables of a database, as the statements below see them whatever the database. */
type AnyTables = Record<string, Record<string, unknown>>;

export interface RecordTable<DB, T extends keyof DB, R> extends RowMapping<R, Selectable<DB[T]>> {
  insert(db: Kysely<DB>, record: R): Promise<void>;
  /** The record whose `column` is `value` (a unique column), if any. */
  findBy(db: Kysely<DB>, column: keyof DB[T] & string, value: string): Promise<R | undefined>;
}

/** The records of one table: their mapping to rows, inserted and read by it. */
export function recordTable<DB, T extends keyof DB & string, R>(table: T, columns: Columns<R, Selectable<DB[T]>>): RecordTable<DB, T, R> {
  const mapping = rowMapping(columns);
  const tables = (db: Kysely<DB>) => db as unknown as Kysely<AnyTables>;
  return {
    ...mapping,
    async insert(db, record) {
      await tables(db)
        .insertInto(table)
        .values(mapping.toRow(record) as Record<string, unknown>)
        .execute();
    },
    async findBy(db, column, value) {
      const row = await tables(db)
        .selectFrom(table)
        .selectAll()
        .where(column as string, '=', value)
        .executeTakeFirst();
      return row && mapping.fromRow(row as Selectable<DB[T]>);
    },
  };
}

function rowMapping<R, Row>(columns: Columns<R, Row>): RowMapping<R, Row> {
  const fields = (Object.entries(columns) as [string, Codec][]).map(([field, codec]) => [field, [snakeCase(field), codec]] as const);
  return {
    fromRow(row) {
      const out: Record<string, unknown> = {};
      for (const [field, [column, codec]] of fields) out[field] = decode(codec, (row as Record<string, unknown>)[column]);
      return out as R;
    },
    toRow(record) {
      const out: Record<string, unknown> = {};
      for (const [field, [column, codec]] of fields) {
        const v = (record as Record<string, unknown>)[field];
        if (v !== undefined) out[column] = encode(codec, v);
      }
      return out as Partial<Row>;
    },
  };
}
