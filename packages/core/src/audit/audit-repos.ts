import type { AuditRecord } from '../store/records.js';

export interface AuditQuery {
  limit: number;
  /** Return entries with a sequence number below this one (newest first). */
  beforeSeq?: number | undefined;
  action?: string | undefined;
  actor?: string | undefined;
  /** Only entries about this target (a key id, a client id). */
  target?: string | undefined;
  workspaceId?: string | undefined;
}

/**
 * An entry to append that the store numbers: its fields, and its canonical form cut around its
 * seq, so that the store hashes it as `auditHash` does: SHA-256 of the previous hash, `before`,
 * the new seq and `after`.
 */
export interface AuditAppend {
  entry: Omit<AuditRecord, 'seq' | 'prevHash' | 'hash'>;
  canonical: { before: string; after: string };
}

/** An appended entry's place in the chain. */
export interface AuditLink {
  seq: number;
  prevHash: string;
  hash: string;
}

/** The storage port of the audit chain: its head and its entries. */
export interface AuditRepos {
  /** The chain head; inside a transaction it is locked until the transaction ends. */
  auditHead(): Promise<{ seq: number; hash: string }>;
  /**
   * Optional: appends an entry in one statement that reads and moves the head, the store
   * computing the hash itself as `auditHash` does (SHA-256 of the previous hash, `before`, the
   * new seq and `after`: the canonical entry around its seq). Returns the seq, previous hash and
   * hash it wrote. Stores that cannot leave it out; `appendAudit` then reads the head first.
   */
  appendAuditAround?(entry: AuditAppend['entry'], canonical: AuditAppend['canonical']): Promise<AuditLink>;
  /** Writes the entry and moves the head to it; only inside a transaction. */
  appendAudit(entry: AuditRecord): Promise<void>;
  /** Entries newest first, filtered by the query. */
  listAudit(q: AuditQuery): Promise<AuditRecord[]>;
  /** Entries in sequence order from `fromSeq` (inclusive), at most `limit`. */
  scanAudit(fromSeq: number, limit: number): Promise<AuditRecord[]>;
}
