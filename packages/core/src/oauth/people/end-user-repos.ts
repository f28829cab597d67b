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
  /** Deletes a user with their consents; false when there was none. */
  deleteEndUser(id: string): Promise<boolean>;
}
