import type { KeyRecord } from '../store/records.js';

/** The storage port of what the hygiene sweep reads and changes of the keys themselves. */
export interface KeyInventoryRepos {
  /** Every keyspace: id and workspace. */
  listAllKeyspaces(): Promise<{ id: string; workspaceId: string }[]>;
  /** Live keys (not revoked or deleted) of a keyspace, a page at a time by id. */
  listLiveKeys(keyspaceId: string, after: string | undefined, limit: number): Promise<KeyRecord[]>;
  /**
   * Cancels a hygiene-scheduled expiry: sets the key's expiry back to `previous`, only while it is
   * still the one the sweep scheduled at `scheduledAt` (its expiry and last change unchanged, not
   * rolled, revoked or deleted) — a compare-and-set in SQL. True when it did.
   */
  /**
   * Gives every live key of a keyspace (but those in `except`) that never expires, or expires after
   * `latest`, the expiry `latest`; answers those keys as they were before, by id.
   */
  capLiveKeyExpiries(keyspaceId: string, latest: number, o: { at: number; except: readonly string[] }): Promise<KeyRecord[]>;
  restoreScheduledExpiry(
    keyId: string,
    scheduled: { expiresAt: number; scheduledAt: number },
    previous: number | null,
    updatedAt: number,
  ): Promise<boolean>;
}
