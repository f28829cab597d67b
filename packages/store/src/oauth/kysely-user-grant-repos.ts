import type { ConsentRecord, TokenFamilyRecord, UserGrantRepos } from '@tessera/core';
import { consentTable, familyTable } from './oauth-rows.js';
import { OAuthHandle } from './oauth-handle.js';

/** A user's consents and live refresh families over Kysely. */
export class KyselyUserGrantRepos extends OAuthHandle implements UserGrantRepos {
  async listConsentsOfUser(userId: string): Promise<ConsentRecord[]> {
    const rows = await this.q.selectFrom('oauth_consents').selectAll().where('user_id', '=', userId).orderBy('client_id').execute();
    return rows.map(consentTable.fromRow);
  }

  async deleteConsents(userId: string, clientId?: string): Promise<number> {
    let query = this.q.deleteFrom('oauth_consents').where('user_id', '=', userId);
    if (clientId !== undefined) query = query.where('client_id', '=', clientId);
    const r = await query.executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async listLiveFamiliesOfSubject(subject: string, clientId: string | undefined, limit: number): Promise<TokenFamilyRecord[]> {
    let query = this.q.selectFrom('oauth_token_families').selectAll().where('subject', '=', subject).where('revoked_at', 'is', null);
    if (clientId !== undefined) query = query.where('client_id', '=', clientId);
    return (await query.orderBy('id').limit(limit).execute()).map(familyTable.fromRow);
  }
}
