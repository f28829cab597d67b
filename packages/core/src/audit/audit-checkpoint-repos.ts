/** A signed statement that the chain's entry `seq` had hash `hash` at time `ts` (docs/key-custody.md). */
export interface AuditCheckpointRecord {
  seq: number;
  hash: string;
  ts: number;
  keyVersion: number;
  /**
   * Since format v2: a compact JWS (RFC 7515, `EdDSA`, `kid` = the key's RFC 7638 thumbprint)
   * over the checkpoint's payload, which also names the previous checkpoint. Format v1 (before):
   * a bare Ed25519 signature over the checkpoint's message, base64url.
   */
  signature: string;
}

/** An Ed25519 key that signs checkpoints; the private half is a keyring ciphertext. */
export interface AuditSigningKeyRecord {
  version: number;
  /** SPKI DER, base64url. */
  publicKey: string;
  privateKey: string;
  createdAt: number;
}

/** The storage port of the audit chain's signed checkpoints and the keys that sign them. */
export interface AuditCheckpointRepos {
  latestAuditCheckpoint(): Promise<AuditCheckpointRecord | undefined>;
  /** `false` when a checkpoint for that sequence exists already (another node wrote it). */
  insertAuditCheckpoint(c: AuditCheckpointRecord): Promise<boolean>;
  /** Checkpoints in sequence order after `afterSeq`, at most `limit`. */
  listAuditCheckpoints(afterSeq: number, limit: number): Promise<AuditCheckpointRecord[]>;
  /** Every signing key, by version. */
  listAuditSigningKeys(): Promise<AuditSigningKeyRecord[]>;
  /** `false` when that version exists already (another node made it). */
  insertAuditSigningKey(k: AuditSigningKeyRecord): Promise<boolean>;
}
