/**
 * Tables of the keyring, the vault, recoverable keys and audit checkpoints (migration 0002).
 * Ciphertext and wrapped-key columns hold only what the keyring produced: never a value in the clear.
 */
export interface KeyringTables {
  keyring_keys: {
    id: string;
    scope: string;
    purpose: string;
    version: number;
    kek_version: number;
    wrapped: string;
    created_at: number;
    /** `labelled` for peppers made since migration 0014; null for data keys and older (plain) peppers. */
    hmac_input: string | null;
  };
  secrets: {
    id: string;
    workspace_id: string;
    name: string;
    current_version: number;
    rotate_by: number | null;
    created_at: number;
    updated_at: number;
  };
  secret_versions: {
    secret_id: string;
    version: number;
    ciphertext: string;
    created_at: number;
    created_by: string;
  };
  key_recovery: { key_id: string; ciphertext: string; created_at: number };
  audit_signing_keys: { version: number; public_key: string; private_key: string; created_at: number };
  audit_checkpoints: { seq: number; hash: string; ts: number; key_version: number; signature: string };
}
