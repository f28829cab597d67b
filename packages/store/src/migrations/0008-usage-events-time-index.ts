import type { Kysely } from 'kysely';

/**
 * Usage events are also read by time alone: the anomaly detectors' warm-up on start replays the
 * last eight days window by window, and retention deletes by age. Without this index each of
 * those windows scanned the whole table, so a node's start slowed down as events accumulated.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('usage_events_time').on('usage_events').column('ts').execute();
}
