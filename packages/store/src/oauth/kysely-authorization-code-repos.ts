import type { AuthorizationCodeRecord, AuthorizationCodeRepos, ConsentRecord } from '@tessera/core';
import { deleteExpired, markOnce, rowWhere } from '../rows.js';
import { authorizationCodeTable, consentTable } from './oauth-rows.js';
import type { OAuthDatabase } from './oauth-schema.js';
import { OAuthHandle } from './oauth-handle.js';

/** Spent codes are kept a day past their end, so a late replay still revokes what they yielded. */
const KEEP_SPENT_MS = 86_400_000;

/** Authorization codes (by keyed hash) and remembered consents over Kysely. */
export class KyselyAuthorizationCodeRepos extends OAuthHandle implements AuthorizationCodeRepos {
  async insertAuthorizationCode(c: AuthorizationCodeRecord): Promise<void> {
    await authorizationCodeTable.insert(this.q, c);
  }

  findAuthorizationCode(hash: string): Promise<AuthorizationCodeRecord | undefined> {
    return authorizationCodeTable.findBy(this.q, 'hash', hash);
  }

  spendAuthorizationCode(
    hash: string,
    at: number,
    issued: { familyId: string | null; accessTokenJti: string; accessTokenExpiresAt: number },
  ): Promise<boolean> {
    return markOnce(this.q, 'oauth_authorization_codes', { hash }, 'used_at', at, authorizationCodeTable.toRow(issued));
  }

  getConsent(userId: string, clientId: string): Promise<ConsentRecord | undefined> {
    return rowWhere(this.q, 'oauth_consents', { user_id: userId, client_id: clientId }, consentTable.fromRow);
  }

  async saveConsent(c: ConsentRecord): Promise<void> {
    const row = consentTable.toRow(c) as OAuthDatabase['oauth_consents'];
    await this.q
      .insertInto('oauth_consents')
      .values(row)
      .onConflict((oc) => oc.columns(['user_id', 'client_id']).doUpdateSet({ scope: row.scope, updated_at: row.updated_at }))
      .execute();
  }

  purgeAuthorizationCodes(now: number): Promise<void> {
    return deleteExpired(this.q, 'oauth_authorization_codes', now - KEEP_SPENT_MS);
  }
}
