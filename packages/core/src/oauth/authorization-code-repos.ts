import type { AuthorizationCodeRecord, ConsentRecord } from './people/end-user-records.js';

/** Where authorization codes and remembered consents are kept. */
export interface AuthorizationCodeRepos {
  insertAuthorizationCode(c: AuthorizationCodeRecord): Promise<void>;
  findAuthorizationCode(hash: string): Promise<AuthorizationCodeRecord | undefined>;
  /**
   * Spends a code if nobody did first (compare-and-set), recording what is issued for it; true
   * when this call spent it.
   */
  spendAuthorizationCode(
    hash: string,
    at: number,
    issued: { familyId: string | null; accessTokenJti: string; accessTokenExpiresAt: number },
  ): Promise<boolean>;

  getConsent(userId: string, clientId: string): Promise<ConsentRecord | undefined>;
  /** Inserts or replaces the consent of a user for a client. */
  saveConsent(c: ConsentRecord): Promise<void>;
}
