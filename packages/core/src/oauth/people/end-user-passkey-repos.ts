import type { PasskeyChallenge, PasskeyRecord } from '../../webauthn/passkey-ceremony.js';

/**
 * Where end users' passkeys are kept (migration 0037), and the one WebAuthn challenge each user may
 * answer: the end-user session is a sealed cookie, not a row, so the challenge is held on the user.
 */
export interface EndUserPasskeyRepos {
  insert(p: PasskeyRecord): Promise<void>;
  /** The user's passkeys in id order. */
  list(userId: string): Promise<PasskeyRecord[]>;
  /** How many passkeys each of these users has; users with none are left out. */
  countByUser(userIds: readonly string[]): Promise<Map<string, number>>;
  findByCredentialId(credentialId: string): Promise<PasskeyRecord | undefined>;
  /** Records a use: false when the counter moved meanwhile (a race, or a replay). */
  recordUse(id: string, expectedCounter: number, counter: number, at: number): Promise<boolean>;
  /** Deletes one of the user's passkeys; false when the user has none by that id. */
  delete(userId: string, id: string): Promise<boolean>;
  /** Deletes all the user's passkeys (and their challenge); how many there were. */
  deleteAll(userId: string): Promise<number>;
  setChallenge(userId: string, c: PasskeyChallenge): Promise<void>;
  /** The user's challenge, cleared as it is read: of two racing takers, one gets it. */
  takeChallenge(userId: string): Promise<PasskeyChallenge | undefined>;
}
