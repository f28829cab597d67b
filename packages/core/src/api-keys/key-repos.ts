import type { Page } from '../store/page.js';
import type { KeyRecord } from '../store/records.js';

/** A key's state as a listing filters on it: `expired` and `active` are judged at `now`. */
export type KeyListState = 'active' | 'disabled' | 'revoked' | 'expired';

/** Which keys a listing holds. */
export interface KeyListQuery extends Page {
  workspaceId: string;
  /** Undefined: every keyspace of the workspace. */
  keyspaceId?: string | undefined;
  ownerId?: string | undefined;
  /** Text found, in any case, in the key's name, id, owner id or visible start (`sk_live_3xR9`). */
  search?: string | undefined;
  state?: { is: KeyListState; now: number } | undefined;
}

/** The storage port of API keys. */
export interface KeyRepos {
  findKeyByHash(hash: string): Promise<KeyRecord | undefined>;
  getKey(id: string): Promise<KeyRecord | undefined>;
  /** Keys of a keyspace (or of the workspace) not deleted, by id (creation order), narrowed by owner, search text and state. */
  listKeys(q: KeyListQuery): Promise<KeyRecord[]>;
  /** Revokes every live (not revoked, not deleted) key of an owner in one statement; returns them as they are now, by id. */
  revokeLiveKeysByOwner(workspaceId: string, ownerId: string, o: { at: number; reason: string | null }): Promise<KeyRecord[]>;
  insertKey(key: KeyRecord): Promise<void>;
  /** Writes the given fields (none: nothing changes); bumps `version` when they include credits. */
  updateKey(id: string, patch: Partial<Omit<KeyRecord, 'id' | 'version'>>): Promise<void>;
  /**
   * Compare-and-set for a suspension's undo: sets `enabled` only if the key is still disabled,
   * not deleted, and unchanged since the suspension (`updatedAt <= suspendedAt`). False otherwise.
   */
  restoreSuspendedKey(id: string, o: { enabled: boolean; suspendedAt: number; at: number }): Promise<boolean>;
  /**
   * Forgets an expiry the hygiene sweep scheduled for the key (its pending notice), as an
   * administrator changed the key; answers the expiry the key had before it, if one was pending.
   */
  forgetScheduledExpiry(id: string): Promise<{ previousExpiresAt: number | null } | undefined>;
  /**
   * Revokes one live key of a workspace and returns it as it is now; undefined when there is no
   * such live key (missing, deleted, another workspace's, or revoked already).
   */
  revokeKey(id: string, workspaceId: string, o: { at: number; reason: string | null }): Promise<KeyRecord | undefined>;
}
