import type { Kysely } from 'kysely';

/**
 * Creates a passkey table, as migrations 0009 (`console_passkeys`) and 0037 (`end_user_passkeys`)
 * made theirs: a credential's public key is public; its id is unique. Migrations do not change once
 * released, so neither does this.
 */
export async function createPasskeyTable(db: Kysely<unknown>, table: string, users: string): Promise<void> {
  await db.schema
    .createTable(table)
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull().references(`${users}.id`))
    .addColumn('credential_id', 'varchar(1400)', (c) => c.notNull().unique())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('counter', 'bigint', (c) => c.notNull())
    .addColumn('transports', 'text', (c) => c.notNull())
    .addColumn('name', 'varchar(100)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .execute();
  await db.schema.createIndex(`${table}_user`).on(table).column('user_id').execute();
}

/** Adds the three columns that hold one WebAuthn challenge to a table (a console session, an end user). */
export async function addChallengeColumns(db: Kysely<unknown>, table: string): Promise<void> {
  // One column a statement: SQLite adds no more.
  await db.schema.alterTable(table).addColumn('challenge', 'varchar(128)').execute();
  await db.schema.alterTable(table).addColumn('challenge_purpose', 'varchar(16)').execute();
  await db.schema.alterTable(table).addColumn('challenge_expires_at', 'bigint').execute();
}
