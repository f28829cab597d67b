/** How the connection to a target database is protected (libpq's `sslmode` values). */
export type TlsMode = 'disable' | 'require' | 'verify-full';
export const TLS_MODES: readonly TlsMode[] = ['disable', 'require', 'verify-full'];

/** A registered target database; its admin password is kept as keyring ciphertext only. */
export interface DatabaseConnectionRecord {
  id: string;
  workspaceId: string;
  name: string;
  /** The database engine; PostgreSQL is the one there is. */
  plugin: 'postgresql';
  host: string;
  port: number;
  database: string;
  tlsMode: TlsMode;
  /** The admin login that creates and drops the credentials' logins. */
  username: string;
  /** Keyring ciphertext bound to `database_connection:<id>`. */
  passwordCiphertext: string;
  createdAt: number;
  updatedAt: number;
}

/** What credentials of a role are: the SQL that makes and drops their login, and how long they live. */
export interface DatabaseRoleRecord {
  id: string;
  workspaceId: string;
  name: string;
  connectionId: string;
  creationStatements: string;
  /** Null: the default (end the login's sessions, drop what it owns, drop the login). */
  revocationStatements: string | null;
  /** Null: the default (`ALTER ROLE … VALID UNTIL` the new expiry). */
  renewStatements: string | null;
  defaultTtlSeconds: number;
  maxTtlSeconds: number;
  createdAt: number;
  updatedAt: number;
}

/**
 * Where a lease stands: `active` until it ends; `revoking` from then until its login is dropped
 * (an attempt under way, or waiting for its next after a failure); `revoked` after.
 */
export type LeaseState = 'active' | 'revoking' | 'revoked';

/** Why a lease's login was (or is being) dropped. */
export type RevokeReason = 'expired' | 'requested' | 'failed';

/** One credential handed out: its login (never its password), its expiry, and its revocation. */
export interface DatabaseLeaseRecord {
  id: string;
  workspaceId: string;
  roleId: string;
  roleName: string;
  connectionId: string;
  /** The generated login name. */
  login: string;
  state: LeaseState;
  /** The actor the credential was issued to. */
  issuedTo: string;
  issuedAt: number;
  expiresAt: number;
  /** No renewal reaches past this (the role's maximum TTL from issue). */
  maxExpiresAt: number;
  renewals: number;
  revokeReason: RevokeReason | null;
  /** Revocation attempts made so far. */
  attempts: number;
  /**
   * When the revoker next looks at the lease: its expiry while active; while revoking, the next
   * attempt, or the end of the claim of the node attempting it. Null once revoked.
   */
  nextAttemptAt: number | null;
  /** Why the last attempt failed (no secret in it); null after a success. */
  lastError: string | null;
  revokedAt: number | null;
}
