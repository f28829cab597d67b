import type { PasskeyRow } from '../passkeys/kysely-passkey-table.js';
/** The OAuth tables (migration 0003), in the conventions of `schema.ts`. */
export interface OAuthDatabase {
  oauth_clients: {
    id: string;
    workspace_id: string;
    name: string;
    scopes: string;
    audience: string;
    grant_types: string;
    redirect_uris: string;
    auth_method: string;
    jwks: string | null;
    access_token_format: string;
    signing_alg: string;
    access_token_ttl: number;
    refresh_token_ttl: number;
    refresh_grace_seconds: number;
    refresh_family_lifetime: number;
    dpop_bound: number;
    dpop_nonce: number;
    require_par: number;
    post_logout_redirect_uris: string;
    web_origins: string;
    created_at: number;
    updated_at: number;
    deleted_at: number | null;
    secret_rotation_days: number | null;
    secret_rotation_overlap_seconds: number | null;
    secret_rotation_due_at: number | null;
    secret_rotation_notified_at: number | null;
  };
  oauth_client_secrets: {
    id: string;
    client_id: string;
    hash: string;
    pepper_version: number;
    created_at: number;
    expires_at: number | null;
  };
  oauth_signing_keys: {
    kid: string;
    alg: string;
    public_jwk: string;
    private_key: string;
    created_at: number;
    activates_at: number;
    retires_at: number;
    expires_at: number;
  };
  oauth_token_families: {
    id: string;
    workspace_id: string;
    client_id: string;
    subject: string;
    api_key_id: string | null;
    scope: string;
    audience: string;
    created_at: number;
    revoked_at: number | null;
    revoke_reason: string | null;
    jkt: string | null;
  };
  oauth_refresh_tokens: {
    id: string;
    family_id: string;
    hash: string;
    created_at: number;
    expires_at: number;
    used_at: number | null;
    replaced_by_id: string | null;
  };
  oauth_opaque_tokens: {
    hash: string;
    jti: string;
    workspace_id: string;
    client_id: string;
    subject: string;
    scope: string;
    audience: string;
    jkt: string | null;
    issued_at: number;
    expires_at: number;
    revoked_at: number | null;
  };
  oauth_revoked_jtis: { jti: string; expires_at: number };
  /** Which workspace an audience belongs to (migration 0012): one at most. */
  oauth_audiences: { audience: string; workspace_id: string; created_at: number };
  oauth_once: { key: string; expires_at: number };
  end_users: {
    id: string;
    workspace_id: string;
    email: string;
    email_verified: number;
    name: string | null;
    password_hash: string;
    disabled_at: number | null;
    created_at: number;
    updated_at: number;
    last_sign_in_at: number | null;
    sessions_ended_at: number | null;
    totp_secret: string | null;
    totp_pending: string | null;
    totp_last_step: number | null;
    /** The one WebAuthn challenge the user may answer (migration 0037). */
    challenge: string | null;
    challenge_purpose: string | null;
    challenge_expires_at: number | null;
    /** Wrong second-factor codes in the current window, and when it began (migration 0039). */
    code_guesses: number | null;
    code_guesses_since: number | null;
  };
  /** End users' passkeys (migration 0037). */
  end_user_passkeys: PasskeyRow;
  workspace_branding: {
    workspace_id: string;
    name: string | null;
    logo_url: string | null;
    color: string | null;
    updated_at: number;
  };
  oauth_consents: {
    user_id: string;
    client_id: string;
    workspace_id: string;
    scope: string;
    created_at: number;
    updated_at: number;
  };
  oauth_authorization_codes: {
    hash: string;
    workspace_id: string;
    client_id: string;
    user_id: string;
    redirect_uri: string;
    code_challenge: string;
    scope: string;
    nonce: string | null;
    auth_time: number;
    amr: string;
    created_at: number;
    expires_at: number;
    used_at: number | null;
    family_id: string | null;
    access_token_jti: string | null;
    access_token_expires_at: number | null;
  };
  oauth_device_authorizations: {
    device_code_hash: string;
    user_code_hash: string;
    workspace_id: string;
    client_id: string;
    scope: string;
    created_at: number;
    expires_at: number;
    interval: number;
    last_polled_at: number | null;
    status: string;
    user_id: string | null;
    auth_time: number | null;
    amr: string | null;
    decided_at: number | null;
  };
  oauth_pushed_requests: {
    hash: string;
    workspace_id: string;
    client_id: string;
    params: string;
    created_at: number;
    expires_at: number;
    used_at: number | null;
  };
}
