import type { AuditRecord, KeyRecord, KeyspaceRecord, RootKeyRecord, UsageUpdate } from './records.js';
import type { KeyRecoveryRepos } from '../api-keys/key-recovery.js';
import type { AuditCheckpointRepos } from '../audit/audit-checkpoints.js';
import type { KeyringRepos } from '../custody/custody-repos.js';
import type { VaultRepos } from '../vault/vault-repos.js';
import type { ConsoleRepos } from '../console/console-repos.js';
import type { IdempotencyRepos } from '../idempotency/idempotency-repos.js';

export interface Page {
  limit: number;
  /** Exclusive lower bound on the id (ids sort by creation time). */
  after?: string | undefined;
}

export interface AuditQuery {
  limit: number;
  /** Return entries with a sequence number below this one (newest first). */
  beforeSeq?: number | undefined;
  action?: string | undefined;
  actor?: string | undefined;
  workspaceId?: string | undefined;
}

/**
 * The storage port: a few intention-revealing methods, the same inside and outside a
 * transaction. The Kysely store implements it for SQLite and PostgreSQL.
 */
export interface Repos extends KeyringRepos, VaultRepos, KeyRecoveryRepos, AuditCheckpointRepos {
  findKeyByHash(hash: string): Promise<KeyRecord | undefined>;
  getKey(id: string): Promise<KeyRecord | undefined>;
  listKeys(q: { workspaceId: string; keyspaceId: string; ownerId?: string | undefined } & Page): Promise<KeyRecord[]>;
  /** Revokes every live (not revoked, not deleted) key of an owner in one statement; returns them as they are now, by id. */
  revokeLiveKeysByOwner(workspaceId: string, ownerId: string, o: { at: number; reason: string | null }): Promise<KeyRecord[]>;
  insertKey(key: KeyRecord): Promise<void>;
  /** Writes the given fields; bumps `version` when they include credits. */
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

  insertKeyspace(ks: KeyspaceRecord): Promise<void>;
  getKeyspace(id: string): Promise<KeyspaceRecord | undefined>;
  listKeyspaces(workspaceId: string): Promise<KeyspaceRecord[]>;

  insertRootKey(rk: RootKeyRecord): Promise<void>;
  findRootKeyByHash(hash: string): Promise<RootKeyRecord | undefined>;
  getRootKey(id: string): Promise<RootKeyRecord | undefined>;
  listRootKeys(workspaceId: string): Promise<RootKeyRecord[]>;
  updateRootKey(
    id: string,
    patch: Partial<Pick<RootKeyRecord, 'revokedAt' | 'expiresAt' | 'rolledToId' | 'hash' | 'pepperVersion'>>,
  ): Promise<void>;
  /** Compare-and-set for a roll: only a live root key not rolled already; false otherwise. */
  markRootKeyRolled(id: string, o: { rolledToId: string; expiresAt: number }): Promise<boolean>;
  /** Last-used times from the usage batch; a time older than the stored one is ignored. */
  touchRootKeys(used: readonly { id: string; lastUsedAt: number }[]): Promise<void>;
  countRootKeys(): Promise<number>;

  insertWorkspace(ws: { id: string; name: string; createdAt: number }): Promise<void>;

  /** The chain head; inside a transaction it is locked until the transaction ends. */
  auditHead(): Promise<{ seq: number; hash: string }>;
  /**
   * Optional: appends an entry in one statement that reads and moves the head, the store
   * computing the hash itself as `auditHash` does (SHA-256 of the previous hash, `before`, the
   * new seq and `after`: the canonical entry around its seq). Returns the seq, previous hash and
   * hash it wrote. Stores that cannot leave it out; `appendAudit` then reads the head first.
   */
  appendAuditAround?(
    entry: Omit<AuditRecord, 'seq' | 'prevHash' | 'hash'>,
    canonical: { before: string; after: string },
  ): Promise<{ seq: number; prevHash: string; hash: string }>;
  appendAudit(entry: AuditRecord): Promise<void>;
  listAudit(q: AuditQuery): Promise<AuditRecord[]>;
  /** Entries in sequence order from `fromSeq` (inclusive), at most `limit`. */
  scanAudit(fromSeq: number, limit: number): Promise<AuditRecord[]>;

  /** Console users and sessions, in the same database and transactions. */
  readonly console: ConsoleRepos;
}

export interface Store extends Repos {
  readonly dialect: 'sqlite' | 'postgres';
  /** Idempotency records: written outside the request's transaction, so they are here, not on {@link Repos}. */
  readonly idempotency: IdempotencyRepos;
  /** Runs `fn` in one transaction: all of its writes land, or none. */
  transaction<T>(fn: (tx: Repos) => Promise<T>): Promise<T>;
  /** Writes usage counters and credits from the verify path, in one batch. */
  applyUsage(updates: readonly UsageUpdate[]): Promise<void>;
  /** Throws when the store cannot answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
