import type { PasskeyRow } from '../passkeys/kysely-passkey-table.js';
/** Tables of the console (migrations 0006, 0009, 0035 and 0036). */
export interface ConsoleTables {
  console_users: {
    id: string;
    workspace_id: string;
    /** A JSON array of workspace ids (migration 0036). */
    other_workspace_ids: string;
    email: string;
    name: string | null;
    role: string;
    password_hash: string;
    totp_secret: string | null;
    totp_pending: string | null;
    totp_last_step: number | null;
    recovery_codes: string;
    recovery_pepper_version: number;
    failed_logins: number;
    locked_until: number | null;
    disabled_at: number | null;
    created_at: number;
    updated_at: number;
    last_login_at: number | null;
  };
  console_sessions: {
    id_hash: string;
    user_id: string;
    stage: string;
    created_at: number;
    last_seen_at: number;
    expires_at: number;
    ip: string | null;
    user_agent: string | null;
    challenge: string | null;
    challenge_purpose: string | null;
    challenge_expires_at: number | null;
  };
  console_passkeys: PasskeyRow;
  console_sso_links: {
    issuer: string;
    subject: string;
    user_id: string;
    created_at: number;
  };
}
