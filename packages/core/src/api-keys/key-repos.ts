import type { AuditAppend, AuditLink } from '../audit/audit-repos.js';
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
   * Changes one key of a workspace (not deleted; for a revocation, not revoked either), forgets an
   * expiry the hygiene sweep scheduled for it (an administrator changed the key), and appends the
   * audit entry, numbered and hashed from the head as `appendAuditAround` does: all of it or
   * nothing. Undefined, with nothing written, when there is no such key. PostgreSQL does it in one
   * statement, outside a transaction one round trip with no BEGIN or COMMIT; inside one it is part
   * of it.
   */
  changeKey(change: KeyChange, audit: AuditAppend): Promise<KeyChanged | undefined>;
}

/** One key's change, for {@link KeyRepos.changeKey}. */
export interface KeyChange {
  id: string;
  workspaceId: string;
  /** The fields written; `version` goes up when credits are among them (as with `updateKey`). */
  set: Partial<Omit<KeyRecord, 'id' | 'version'>>;
  /** A revocation: a key revoked already is not changed. */
  unlessRevoked?: boolean;
}

/** What {@link KeyRepos.changeKey} wrote, and where its time went in the database. */
export interface KeyChanged {
  /** The key as it is now. */
  key: KeyRecord;
  audit: AuditLink;
  /**
   * Milliseconds until the key was written (waiting for its row included), then until the audit
   * head moved (waiting for the head included): the `write` and `audit` phases of the change.
   */
  phases: { writeMs: number; auditMs: number };
}
