import { PostgresAdapter, sql, type Kysely } from 'kysely';

/**
 * Ids sort by creation time only in byte order (base62's alphabet is in ASCII order). A
 * PostgreSQL database made with a linguistic collation (say en_US.UTF-8) would sort `…a` before
 * `…Z`, so every id column is given the "C" collation. SQLite compares bytes already.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  const { rows } = await sql<{ table_name: string; column_name: string; character_maximum_length: number | null }>`
    select table_name, column_name, character_maximum_length
    from information_schema.columns
    where table_schema = current_schema()
      and (column_name = 'id' or column_name like '%\_id')
      and data_type in ('character varying', 'text')
      and table_name not like 'tessera\_migrations%'`.execute(db);
  for (const c of rows) {
    const type = c.character_maximum_length === null ? 'text' : `varchar(${c.character_maximum_length})`;
    await sql`alter table ${sql.id(c.table_name)} alter column ${sql.id(c.column_name)} type ${sql.raw(type)} collate "C"`.execute(db);
  }
}
