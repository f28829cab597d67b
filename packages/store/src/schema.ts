/**
 * The one schema, written for both dialects: times are epoch milliseconds in BIGINT columns,
 * booleans are 0/1 integers and JSON is text, so SQLite and PostgreSQL store the same values.
 */
export interface Database {
  workspaces: { id: string; name: string; created_at: number };
  keyspaces: {
    id: string;
    workspace_id: string;
    name: string;
    prefix: string;
    recoverable: number;
    created_at: number;
    /** JSON of the keyspace's gateway routes (migration 0015); null until set. */
    gateway_routes: string | null;
  };
  keys: {
    id: string;
    workspace_id: string;
    keyspace_id: string;
    hash: string;
    pepper_version: number;
    start: string;
    owner_id: string | null;
    name: string | null;
    scopes: string;
    meta: string | null;
    environment: string | null;
    created_at: number;
    updated_at: number;
    expires_at: number | null;
    enabled: number;
    revoked_at: number | null;
    revoke_reason: string | null;
    deleted_at: number | null;
    ip_allowlist: string;
    ratelimits: string;
    credits_remaining: number | null;
    credits_refill_amount: number | null;
    credits_refill_interval: number | null;
    credits_refilled_at: number | null;
    last_used_at: number | null;
    usage_count: number;
    version: number;
    rolled_to_id: string | null;
  };
  root_keys: {
    id: string;
    workspace_id: string;
    name: string;
    hash: string;
    pepper_version: number;
    start: string;
    permissions: string;
    created_at: number;
    revoked_at: number | null;
    last_used_at: number | null;
    expires_at: number | null;
    ip_allowlist: string;
    keyspace_ids: string | null;
    rolled_to_id: string | null;
    other_workspace_ids: string;
  };
  audit_log: {
    seq: number;
    id: string;
    ts: number;
    workspace_id: string | null;
    actor: string;
    action: string;
    target: string | null;
    ip: string | null;
    details: string;
    prev_hash: string;
    hash: string;
  };
  audit_head: { id: number; seq: number; hash: string };
  // Migration 0002: the keyring, the vault, recoverable keys and audit checkpoints. Ciphertext and
  // wrapped-key columns hold only what the keyring produced: never a value in the clear.
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
