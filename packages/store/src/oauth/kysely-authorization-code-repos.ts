import type { AuthorizationCodeRecord, AuthorizationCodeRepos, ConsentRecord } from '@tessera/core';
import type { Kysely } from 'kysely';
import { authorizationCodeTable, consentTable } from './oauth-rows.js';
import type { OAuthDatabase } from './oauth-schema.js';

/** Spent codes are kept a day past their end, so a late replay still revokes what they yielded. */
const KEEP_SPENT_MS = 86_400_000;

/** Authorization codes (by keyed hash) and remembered consents over Kysely. */
export class KyselyAuthorizationCodeRepos implements AuthorizationCodeRepos {
  constructor(private readonly q: Kysely<OAuthDatabase>) {}

  async insertAuthorizationCode(c: AuthorizationCodeRecord): Promise<void> {
    await authorizationCodeTable.insert(this.q, c);
  }

  findAuthorizationCode(hash: string): Promise<AuthorizationCodeRecord | undefined> {
    return authorizationCodeTable.findBy(this.q, 'hash', hash);
  }

  async spendAuthorizationCode(
    hash: string,
    at: number,
    issued: { familyId: string | null; accessTokenJti: string; accessTokenExpiresAt: number },
  ): Promise<boolean> {
    const r = await this.q
      .updateTable('oauth_authorization_codes')
      .set({
        used_at: at,
        family_id: issued.familyId,
        access_token_jti: issued.accessTokenJti,
        access_token_expires_at: issued.accessTokenExpiresAt,
      })
      .where('hash', '=', hash)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async getConsent(userId: string, clientId: string): Promise<ConsentRecord | undefined> {
    const row = await this.q
      .selectFrom('oauth_consents')
      .selectAll()
      .where('user_id', '=', userId)
      .where('client_id', '=', clientId)
      .executeTakeFirst();
    return row && consentTable.fromRow(row);
  }

  async saveConsent(c: ConsentRecord): Promise<void> {
    const row = consentTable.toRow(c) as OAuthDatabase['oauth_consents'];
    await this.q
      .insertInto('oauth_consents')
      .values(row)
      .onConflict((oc) => oc.columns(['user_id', 'client_id']).doUpdateSet({ scope: row.scope, updated_at: row.updated_at }))
      .execute();
  }

  async purgeExpired(now: number): Promise<void> {
    await this.q
      .deleteFrom('oauth_authorization_codes')
      .where('expires_at', '<=', now - KEEP_SPENT_MS)
      .execute();
  }
}
