/** The people who sign in to the web console, their sessions (migration 0006) and passkeys (0009). */

export const CONSOLE_ROLES = ['owner', 'admin', 'viewer'] as const;
export type ConsoleRole = (typeof CONSOLE_ROLES)[number];

export interface ConsoleUserRecord {
  id: string;
  workspaceId: string;
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
export interface ConsolePasskeyRecord {
  id: string;
  userId: string;
  /** The credential id, base64url, as the authenticator names it; unique. */
  credentialId: string;
  /** The COSE public key, base64url. */
  publicKey: string;
  /** The authenticator's signature counter at the last use (0 for authenticators that keep none). */
  counter: number;
  /** Transports the browser reported (`internal`, `usb`, `hybrid`, …), as hints for the next sign-in. */
  transports: string[];
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
}

/** A WebAuthn challenge held for one session: single-use, with its purpose and end. */
export interface PasskeyChallenge {
  purpose: 'register' | 'login';
  challenge: string;
  expiresAt: number;
}

/** The storage port for console users and sessions; the same inside and outside a transaction. */
export interface ConsoleRepos {
  insertUser(u: ConsoleUserRecord): Promise<void>;
  getUser(id: string): Promise<ConsoleUserRecord | undefined>;
  findUserByEmail(email: string): Promise<ConsoleUserRecord | undefined>;
  listUsers(workspaceId: string): Promise<ConsoleUserRecord[]>;
  countUsers(): Promise<number>;
  updateUser(id: string, patch: Partial<Omit<ConsoleUserRecord, 'id' | 'workspaceId' | 'createdAt'>>): Promise<void>;
  /** Adds one to the failure count and returns the new count (atomic). */
  incrementFailedLogins(id: string, at: number): Promise<number>;
  /**
   * Spends a TOTP time step: records it only if no step at or after it was accepted before, in
   * one statement (of two requests with the same code, one wins). Returns whether it did.
   */
  spendTotpStep(id: string, step: number, at: number): Promise<boolean>;
  /**
   * Spends a recovery code: stores `next` only if the codes are still exactly `expected` (a
   * compare-and-set, so one code cannot sign in two racing requests). Returns whether it did.
   */
  replaceRecoveryCodes(id: string, expected: string[], next: string[], at: number): Promise<boolean>;

  insertSession(s: ConsoleSessionRecord): Promise<void>;
  getSession(idHash: string): Promise<ConsoleSessionRecord | undefined>;
  touchSession(idHash: string, lastSeenAt: number): Promise<void>;
  deleteSession(idHash: string): Promise<void>;
  /** Ends every session of a user (of one `stage`, if given), but the one `exceptIdHash` names (the one making a change). */
  deleteUserSessions(userId: string, exceptIdHash?: string, stage?: 'password' | 'full'): Promise<void>;
  /** Deletes sessions idle since before `idleBefore` or past their absolute end. */
  purgeSessions(idleBefore: number, now: number): Promise<number>;

  /** Holds a WebAuthn challenge for a session, replacing any earlier one. */
  setChallenge(idHash: string, challenge: PasskeyChallenge): Promise<void>;
  /** Takes the session's challenge and clears it: whoever takes it first gets it, and only once. */
  takeChallenge(idHash: string): Promise<PasskeyChallenge | undefined>;

  insertPasskey(p: ConsolePasskeyRecord): Promise<void>;
  listPasskeys(userId: string): Promise<ConsolePasskeyRecord[]>;
  findPasskeyByCredentialId(credentialId: string): Promise<ConsolePasskeyRecord | undefined>;
  /**
   * Records a use: the new counter and time, only if the counter is still `expectedCounter`
   * (two racing sign-ins with the same assertion cannot both pass). Returns whether it did.
   */
  recordPasskeyUse(id: string, expectedCounter: number, counter: number, at: number): Promise<boolean>;
  /** Deletes one of the user's passkeys; returns whether there was one. */
  deletePasskey(userId: string, id: string): Promise<boolean>;

  /** Keys neither revoked nor deleted nor expired at `now`, for the overview. */
  countActiveKeys(workspaceId: string, now: number): Promise<number>;
}
