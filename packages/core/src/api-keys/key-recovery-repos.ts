/** A recoverable key's ciphertext, kept beside its record. */
export interface KeyRecoveryRecord {
  keyId: string;
  /** Keyring ciphertext of the plain key, bound to `key_recovery:<keyId>`. */
  ciphertext: string;
  createdAt: number;
}

/** The storage port of recoverable keys (keyspaces with `recoverable: true`). */
export interface KeyRecoveryRepos {
  /** Keeps a key's ciphertext; a second one for the same key is refused (throws). */
  insertKeyRecovery(r: KeyRecoveryRecord): Promise<void>;
  getKeyRecovery(keyId: string): Promise<KeyRecoveryRecord | undefined>;
}
