/** How one field of a record is kept: its column, and how its value is read and written when not as it is. */
export interface Column<V> {
  name: string;
  read(raw: unknown): V;
  write(value: V): unknown;
}

const same = <V>(name: string): Column<V> => ({ name, read: (raw) => raw as V, write: (value) => value });

/** A number column: PostgreSQL's bigint comes back as a string, so it is read with Number(). */
export const numberColumn = (name: string): Column<number> => ({ name, read: (raw) => Number(raw), write: (value) => value });

export const nullableNumberColumn = (name: string): Column<number | null> => ({
  name,
  read: (raw) => (raw === null ? null : Number(raw)),
  write: (value) => value,
});

/** A value kept as JSON text (a list, an object). */
export const jsonColumn = <V>(name: string): Column<V> => ({
  name,
  read: (raw) => JSON.parse(raw as string) as V,
  write: (value) => JSON.stringify(value),
});

type Spec<R> = { [K in keyof R]-?: string | Column<R[K]> };

/**
 * A record's fields and their columns, named once and used both ways: reading a row into a record,
 * and writing a record (or the fields of a patch that are set) into a row.
 */
export class RecordColumns<R> {
  private readonly fields: [keyof R & string, Column<unknown>][];

  constructor(spec: Spec<R>) {
    this.fields = Object.entries(spec).map(([field, c]) => [
      field as keyof R & string,
      (typeof c === 'string' ? same(c) : c) as Column<unknown>,
    ]);
  }

  /** The columns, in the record's order (for a `select`). */
  get names(): string[] {
    return this.fields.map(([, c]) => c.name);
  }

  read(row: object): R {
    const raw = row as Record<string, unknown>;
    return Object.fromEntries(this.fields.map(([field, c]) => [field, c.read(raw[c.name])])) as R;
  }

  /** The row of a record, or of the fields of a patch that are not undefined. */
  write(record: Partial<R>): Record<string, unknown> {
    const row: Record<string, unknown> = {};
    for (const [field, c] of this.fields) if (record[field] !== undefined) row[c.name] = c.write(record[field]);
    return row;
  }
}
