import type { TlsMode } from './database-records.js';

/** Where and as whom the target database is reached; the password only ever in memory. */
export interface TargetConnection {
  host: string;
  port: number;
  database: string;
  tlsMode: TlsMode;
  username: string;
  password: string;
}

/**
 * A target database engine: logs in as the connection's admin and runs a role's statements with
 * the generated login's values put in. The PostgreSQL one is the server's
 * (`apps/server/src/adapters/database-target/`).
 */
export interface DatabaseTarget {
  /** Logs in with the admin credentials and leaves; throws {@link TargetError} when it cannot. */
  verify(connection: TargetConnection): Promise<void>;
  /** Runs the creation statements, in one transaction. */
  createLogin(
    connection: TargetConnection,
    statements: string,
    login: { name: string; password: string; expiresAt: number },
  ): Promise<void>;
  /** Runs the renewal statements with the new expiry. */
  renewLogin(connection: TargetConnection, statements: string, login: { name: string; expiresAt: number }): Promise<void>;
  /**
   * Sets a login's password (the login must exist). Vault secrets rotated by alternating users
   * use it; no statement the target logs carries the password in the clear.
   */
  setPassword(connection: TargetConnection, login: { name: string; password: string }): Promise<void>;
  /**
   * Stops the login from signing in, ends its sessions and runs the revocation statements.
   * Succeeds when the login is gone already, so an attempt can be repeated safely.
   */
  revokeLogin(connection: TargetConnection, statements: string, login: { name: string }): Promise<void>;
}

/** A target database refused or failed; the message names no secret and is safe to show. */
export class TargetError extends Error {
  override readonly name = 'TargetError';
}
