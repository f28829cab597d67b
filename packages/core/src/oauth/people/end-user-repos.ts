import type { Page } from '../../store/page.js';
import type { EndUserPatch, EndUserRecord } from './end-user-records.js';

/** Where a workspace's end users are kept. */
export interface EndUserRepos {
  /** Inserts a user; false when the workspace has a user with that email already. */
  insertEndUser(u: EndUserRecord): Promise<boolean>;
  getEndUser(id: string): Promise<EndUserRecord | undefined>;
  findEndUserByEmail(workspaceId: string, email: string): Promise<EndUserRecord | undefined>;
  /** The workspace's users in id order. */
  listEndUsers(q: { workspaceId: string } & Page): Promise<EndUserRecord[]>;
  updateEndUser(id: string, patch: EndUserPatch): Promise<void>;
  /** Marks a TOTP step used; false when that step or a later one was used already (a replay, or a race lost). */
  spendEndUserTotpStep(id: string, step: number, at: number): Promise<boolean>;
  /**
   * Counts one second-factor code about to be checked, in the user's window of `windowMs` (a new
   * window begins at `at` once the last began `windowMs` ago or more): how many the window holds,
   * this one included; 0 when there is no such user. Atomic, so every node counts the same guesses.
   */
  countCodeGuess(id: string, at: number, windowMs: number): Promise<number>;
  /** Ends the user's window of code guesses (a right code). */
  clearCodeGuesses(id: string): Promise<void>;
  /** Deletes a user with their consents; false when there was none. */
  deleteEndUser(id: string): Promise<boolean>;
}
