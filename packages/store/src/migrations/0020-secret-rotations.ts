import { PostgresAdapter, sql, type Kysely } from 'kysely';
import { CREATED_AND_UPDATED, createTable } from './tables.js';

/**
 * Rotation of vault secrets: one row per secret that has a rotator — its kind and settings (never
 * a secret: a webhook's signing secret is keyring ciphertext), its schedule, and the queue of the
 * runner (`next_attempt_at`, claimed by one node at a time through `state`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await createTable(db, 'secret_rotations', {
    secret_id: 'varchar(32) primary key',
    workspace_id: 'varchar(32) not null',
    secret_name: 'varchar(200) not null',
    rotator: 'varchar(32) not null',
    settings: 'text not null',
    signing_secret_ciphertext: 'text',
    interval_seconds: 'integer',
    state: 'varchar(16) not null',
    next_attempt_at: 'bigint',
    attempts: 'integer not null',
    last_attempt_at: 'bigint',
    last_result: 'varchar(16)',
    last_error: 'varchar(512)',
    last_rotated_at: 'bigint',
    pending_ciphertext: 'text',
    pending_since: 'bigint',
    ...CREATED_AND_UPDATED,
    // The runner's queue: rotations by when they are next due.
    secret_rotations_due: 'index (next_attempt_at)',
    secret_rotations_workspace: 'index (workspace_id, secret_name)',
  });
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    // Ids sort by creation time in byte order only (see 0007).
    for (const column of ['secret_id', 'workspace_id'])
      await sql`alter table secret_rotations alter column ${sql.id(column)} type varchar(32) collate "C"`.execute(db);
  }
}
