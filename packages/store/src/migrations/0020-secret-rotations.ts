import { PostgresAdapter, sql, type Kysely } from 'kysely';

/**
 * Rotation of vault secrets: one row per secret that has a rotator — its kind and settings (never
 * a secret: a webhook's signing secret is keyring ciphertext), its schedule, and the queue of the
 * runner (`next_attempt_at`, claimed by one node at a time through `state`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('secret_rotations')
    .addColumn('secret_id', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('workspace_id', 'varchar(32)', (c) => c.notNull())
    .addColumn('secret_name', 'varchar(200)', (c) => c.notNull())
    .addColumn('rotator', 'varchar(32)', (c) => c.notNull())
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('signing_secret_ciphertext', 'text')
    .addColumn('interval_seconds', 'integer')
    .addColumn('state', 'varchar(16)', (c) => c.notNull())
    .addColumn('next_attempt_at', 'bigint')
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('last_attempt_at', 'bigint')
    .addColumn('last_result', 'varchar(16)')
    .addColumn('last_error', 'varchar(512)')
    .addColumn('last_rotated_at', 'bigint')
    .addColumn('pending_ciphertext', 'text')
    .addColumn('pending_since', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  // The runner's queue: rotations by when they are next due.
  await db.schema.createIndex('secret_rotations_due').on('secret_rotations').column('next_attempt_at').execute();
  await db.schema.createIndex('secret_rotations_workspace').on('secret_rotations').columns(['workspace_id', 'secret_name']).execute();
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    // Ids sort by creation time in byte order only (see 0007).
    for (const column of ['secret_id', 'workspace_id'])
      await sql`alter table secret_rotations alter column ${sql.id(column)} type varchar(32) collate "C"`.execute(db);
  }
}
