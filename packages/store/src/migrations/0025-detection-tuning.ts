import type { Kysely } from 'kysely';

/**
 * Detection tuning per keyspace, on its policy: a sensitivity that scales the detectors'
 * thresholds, quiet hours (hours of the day, UTC, as a JSON list) in which any use is suspicious,
 * and known networks (a JSON list of CIDRs) that are never a new network or impossible travel.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('keyspace_policies')
    .addColumn('detection_sensitivity', 'double precision', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema
    .alterTable('keyspace_policies')
    .addColumn('quiet_hours', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
  await db.schema
    .alterTable('keyspace_policies')
    .addColumn('known_networks', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
}
