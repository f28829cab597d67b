import type {
  ConsolePasskeyRecord,
  ConsoleSessionRecord,
  ConsoleSsoLinkRecord,
  ConsoleUserPatch,
  ConsoleUserRecord,
  PasskeyChallenge,
  SessionStage,
} from './console-records.js';

/** The storage port for console users, their sessions and passkeys; the same inside and outside a transaction. */
export interface ConsoleRepos {
  insertUser(u: ConsoleUserRecord): Promise<void>;
  getUser(id: string): Promise<ConsoleUserRecord | undefined>;
  findUserByEmail(email: string): Promise<ConsoleUserRecord | undefined>;
  listUsers(workspaceId: string): Promise<ConsoleUserRecord[]>;
  /** The users homed elsewhere that reach `workspaceId` (it is among their `otherWorkspaceIds`), by id. */
  listUsersReaching(workspaceId: string): Promise<ConsoleUserRecord[]>;
  updateUser(id: string, patch: ConsoleUserPatch): Promise<void>;
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
  deleteUserSessions(userId: string, exceptIdHash?: string, stage?: SessionStage): Promise<void>;
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

  /** The console user an upstream account (`iss` and `sub`) is linked to. */
  findSsoLink(issuer: string, subject: string): Promise<ConsoleSsoLinkRecord | undefined>;
  /** Links an upstream account; false when that account is linked already. */
  insertSsoLink(l: ConsoleSsoLinkRecord): Promise<boolean>;

  /** Keys neither revoked nor deleted nor expired at `now`, for the overview. */
  countActiveKeys(workspaceId: string, now: number): Promise<number>;
}
