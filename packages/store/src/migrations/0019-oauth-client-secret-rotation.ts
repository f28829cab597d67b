import type { Kysely } from 'kysely';

/**
 * Client-secret rotation schedules: every N days a client's secret is due, with the overlap its
 * rotation keeps both secrets working; when it fell due and when the owner was told (once a secret).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const [name, type] of [
    ['secret_rotation_days', 'integer'],
    ['secret_rotation_overlap_seconds', 'integer'],
    ['secret_rotation_due_at', 'bigint'],
    ['secret_rotation_notified_at', 'bigint'],
  ] as const) {
    await db.schema.alterTable('oauth_clients').addColumn(name, type).execute();
  }
  await db.schema.createIndex('oauth_clients_secret_rotation_due').on('oauth_clients').column('secret_rotation_due_at').execute();
}
