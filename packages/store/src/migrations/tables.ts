import {
  PostgresAdapter,
  sql,
  type ColumnDataType,
  type ColumnDefinitionBuilder,
  type CreateIndexBuilder,
  type CreateTableBuilder,
  type Kysely,
} from 'kysely';

/**
 * How migrations write tables: a column is the SQL that follows its name, in the order Kysely
 * compiles it — `<type> [default <number | 'text'>] [not null] [unique] [primary key]
 * [references <table>.<column>]` — so a migration reads like the statement it runs. As in SQL, a
 * table's constraint stands among its columns, by its name: `primary key (<columns>)` or
 * `unique (<columns>)`; so does an index, as MySQL writes it: `index (<columns>)` or
 * `unique index (<columns>)`, made right after its table. Migrations do not change once released,
 * so neither does what these helpers make of them.
 */
export type Columns = Readonly<Record<string, string>>;

const COLUMN =
  /^(?<type>[a-z]+(?: precision)?(?:\(\d+\))?)(?: default (?<fallback>\d+|'[^']*'))?(?<notNull> not null)?(?<unique> unique)?(?<primaryKey> primary key)?(?: references (?<references>\w+\.\w+))?$/;

const CONSTRAINT = /^(?<kind>primary key|unique|index|unique index) \((?<columns>\w+(?:, \w+)*)\)$/;

function column(spec: string): [ColumnDataType, (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder] {
  const parts = COLUMN.exec(spec)?.groups;
  if (parts?.type === undefined) throw new Error(`Unreadable column: ${spec}`);
  const { type, fallback, notNull, unique, primaryKey, references } = parts;
  return [
    type as ColumnDataType,
    (c) => {
      if (fallback !== undefined) c = c.defaultTo(fallback.startsWith("'") ? fallback.slice(1, -1) : Number(fallback));
      if (notNull !== undefined) c = c.notNull();
      if (unique !== undefined) c = c.unique();
      if (primaryKey !== undefined) c = c.primaryKey();
      if (references !== undefined) c = c.references(references);
      return c;
    },
  ];
}

/** A row's own id and its workspace's, first in most tables. */
export const ID_AND_WORKSPACE = { id: 'varchar(64) primary key', workspace_id: 'varchar(64) not null' } as const;

/** When a row was made and last changed, last in most tables. */
export const CREATED_AND_UPDATED = { created_at: 'bigint not null', updated_at: 'bigint not null' } as const;

/** A one-time row's life: made, good until, used (null until it is). */
export const ONE_TIME_LIFE = { created_at: 'bigint not null', expires_at: 'bigint not null', used_at: 'bigint' } as const;

/** Creates a table with its columns and its constraints, in order, then its indexes. */
export async function createTable(db: Kysely<unknown>, table: string, columns: Columns): Promise<void> {
  let builder: CreateTableBuilder<string, string> = db.schema.createTable(table);
  const indexes: CreateIndexBuilder[] = [];
  for (const [name, spec] of Object.entries(columns)) {
    const constraint = CONSTRAINT.exec(spec)?.groups;
    const on = constraint?.columns?.split(', ') ?? [];
    if (constraint?.kind === 'primary key') builder = builder.addPrimaryKeyConstraint(name, on);
    else if (constraint?.kind === 'unique') builder = builder.addUniqueConstraint(name, on);
    else if (constraint?.kind === 'index') indexes.push(db.schema.createIndex(name).on(table).columns(on));
    else if (constraint?.kind === 'unique index') indexes.push(db.schema.createIndex(name).on(table).columns(on).unique());
    else builder = builder.addColumn(name, ...column(spec));
  }
  await builder.execute();
  for (const index of indexes) await index.execute();
}

/** Creates tables, each with its columns, constraints and indexes (`createTable`), in order. */
export async function createTables(db: Kysely<unknown>, tables: Readonly<Record<string, Columns>>): Promise<void> {
  for (const [table, columns] of Object.entries(tables)) await createTable(db, table, columns);
}

/** Adds columns to a table, one statement each: SQLite adds no more at once. */
export async function addColumns(db: Kysely<unknown>, table: string, columns: Columns): Promise<void> {
  for (const [name, spec] of Object.entries(columns))
    await db.schema
      .alterTable(table)
      .addColumn(name, ...column(spec))
      .execute();
}

/**
 * On PostgreSQL, gives id columns the "C" collation, so ids sort by creation time (byte order;
 * see migration 0007). SQLite compares bytes already.
 */
export async function collateIdsOnPostgres(
  db: Kysely<unknown>,
  type: string,
  columns: Readonly<Record<string, readonly string[]>>,
): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  for (const [table, names] of Object.entries(columns))
    for (const name of names)
      await sql`alter table ${sql.id(table)} alter column ${sql.id(name)} type ${sql.raw(type)} collate "C"`.execute(db);
}
