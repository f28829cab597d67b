/**
 * Idempotency records (migration 0013): the first outcome of a request sent with an
 * `Idempotency-Key`, kept for 24 hours so that a retry gets it instead of a second effect.
 */
export interface IdempotencyRecord {
  /** Who sent it: `root_key:<id>` or `user:<id>`. A key belongs to its principal only. */
  principal: string;
  /** The caller's `Idempotency-Key`. */
  key: string;
  /** `<pepper version>.<HMAC>` of the method, path, principal and body. */
  fingerprint: string;
  /** A random id of the attempt that holds (or held) the key. */
  claim: string;
  createdAt: number;
  expiresAt: number;
  /** The first attempt's HTTP status; null while it runs. */
  status: number | null;
  /** The first attempt's answer (status, type, body), encrypted by the keyring; null while it runs. */
  response: string | null;
}

/** The storage port of idempotency records. Every method is one statement, safe across nodes. */
export interface IdempotencyRepos {
  /** Inserts a record; `false` when the principal has a record under this key already. */
  claimIdempotencyKey(record: IdempotencyRecord): Promise<boolean>;
  getIdempotencyKey(principal: string, key: string): Promise<IdempotencyRecord | undefined>;
  /**
   * Replaces the record under (principal, key) with `record` if it expired by `now` or is
   * unfinished and was claimed at `abandonedBefore` or earlier; `false` if it is neither (or gone).
   */
  reclaimIdempotencyKey(record: IdempotencyRecord, now: number, abandonedBefore: number): Promise<boolean>;
  /** Stores the outcome of the attempt `claim`; `false` if that attempt no longer holds the key. */
  completeIdempotencyKey(principal: string, key: string, claim: string, status: number, response: string): Promise<boolean>;
  /** Deletes the record if the attempt `claim` holds it unfinished, so that a retry runs again. */
  releaseIdempotencyKey(principal: string, key: string, claim: string): Promise<void>;
  /** Deletes the records that expired by `now`; the number deleted. */
  sweepIdempotencyKeys(now: number): Promise<number>;
}
