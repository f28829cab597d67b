import type { Kysely } from 'kysely';
import { addColumns } from './tables.js';

/**
 * Detection tuning per keyspace, on its policy: a sensitivity that scales the detectors'
 * thresholds, quiet hours (hours of the day, UTC, as a JSON list) in which any use is suspicious,
 * and known networks (a JSON list of CIDRs) that are never a new network or impossible travel.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await addColumns(db, 'keyspace_policies', {
    detection_sensitivity: 'double precision default 1 not null',
    quiet_hours: "text default '[]' not null",
    known_networks: "text default '[]' not null",
  });
}
