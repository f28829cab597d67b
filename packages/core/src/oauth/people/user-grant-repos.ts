import type { TokenFamilyRecord } from '../oauth-records.js';
import type { ConsentRecord } from './end-user-records.js';

/** What a user granted, as an administrator sees and ends it: consents, and the live grants (refresh families) made under them. */
export interface UserGrantRepos {
  /** The user's remembered consents, in client id order. */
  listConsentsOfUser(userId: string): Promise<ConsentRecord[]>;
  /** Forgets the user's consent for one client, or for all; the number forgotten. */
  deleteConsents(userId: string, clientId?: string): Promise<number>;
  /** The subject's families not revoked (of one client, or all), in id order; at most `limit`. */
  listLiveFamiliesOfSubject(subject: string, clientId: string | undefined, limit: number): Promise<TokenFamilyRecord[]>;
}
