import type { PasskeyChallenge, PasskeyRecord } from '../webauthn/passkey-ceremony.js';
/** The people who sign in to the web console, their sessions (migration 0006) and passkeys (0009). */

export const CONSOLE_ROLES = ['owner', 'admin', 'viewer'] as const;
export type ConsoleRole = (typeof CONSOLE_ROLES)[number];

export interface ConsoleUserRecord {
  id: string;
  /** The user's home workspace: where it is listed and managed. */
  workspaceId: string;
  /**
   * The workspaces it reaches besides its home (migration 0036), as a root key's
   * `otherWorkspaceIds`: the console names the one it acts in with `Tessera-Workspace`.
   */
  otherWorkspaceIds: string[];
  /** Lower-cased; unique. */
  email: string;
  name: string | null;
  role: ConsoleRole;
  /** argon2id PHC string. */
  passwordHash: string;
  /** The TOTP secret, encrypted by the keyring; null until enrolment is confirmed. */
  totpSecret: string | null;
  /** A secret offered for enrolment and not yet confirmed, encrypted by the keyring. */
  totpPending: string | null;
  /** The last TOTP time step accepted: a code is never accepted twice. */
  totpLastStep: number | null;
  /** Keyed hashes of the unused recovery codes. */
  recoveryCodes: string[];
  recoveryPepperVersion: number;
  failedLogins: number;
  lockedUntil: number | null;
  disabledAt: number | null;
  createdAt: number;
  updatedAt: number;
  lastLoginAt: number | null;
}

/** A user as it is made: what identifies it given, every other field at its start (no second factor, no sign-in, home only). */
export function newConsoleUser(
  fields: Pick<
    ConsoleUserRecord,
    'id' | 'workspaceId' | 'email' | 'name' | 'role' | 'passwordHash' | 'recoveryPepperVersion' | 'createdAt'
  >,
): ConsoleUserRecord {
  return {
    ...fields,
    otherWorkspaceIds: [],
    totpSecret: null,
    totpPending: null,
    totpLastStep: null,
    recoveryCodes: [],
    failedLogins: 0,
    lockedUntil: null,
    disabledAt: null,
    updatedAt: fields.createdAt,
    lastLoginAt: null,
  };
}

/** `password`: the password was right, the second factor is still owed. `full`: signed in. */
export type SessionStage = 'password' | 'full';

export interface ConsoleSessionRecord {
  /** SHA-256 of the session token; the token itself lives only in the browser's cookie. */
  idHash: string;
  userId: string;
  stage: SessionStage;
  createdAt: number;
  lastSeenAt: number;
  /** The absolute end: no activity extends a session beyond it. */
  expiresAt: number;
  ip: string | null;
  userAgent: string | null;
}

/**
 * A WebAuthn credential a console user registered as a second factor. Nothing in it is a secret:
 * the public key verifies assertions, the private key never leaves the authenticator.
 */
export type ConsolePasskeyRecord = PasskeyRecord;

/** A WebAuthn challenge held for one session: single-use, with its purpose and end. */
export type { PasskeyChallenge };

/** The fields of a console user that change after it is made. */
export type ConsoleUserPatch = Partial<Omit<ConsoleUserRecord, 'id' | 'workspaceId' | 'createdAt'>>;

/** A console user linked to an account at the deployment's upstream OpenID Provider (migration 0035). */
export interface ConsoleSsoLinkRecord {
  /** The upstream's `iss`, exactly. */
  issuer: string;
  /** The upstream's `sub`. */
  subject: string;
  userId: string;
  createdAt: number;
}
