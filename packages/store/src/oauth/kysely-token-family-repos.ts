import type { RefreshTokenRecord, TokenFamilyRecord, TokenFamilyRepos } from '@tessera/core';
import { markOnce } from '../rows.js';
import { familyTable, refreshTokenTable } from './oauth-rows.js';
import { OAuthHandle } from './oauth-handle.js';

/** Refresh-token families and their rotating refresh tokens over Kysely. */
export class KyselyTokenFamilyRepos extends OAuthHandle implements TokenFamilyRepos {
  async insertFamily(f: TokenFamilyRecord): Promise<void> {
    await familyTable.insert(this.q, f);
  }

  async getFamily(id: string): Promise<TokenFamilyRecord | undefined> {
    return familyTable.findBy(this.q, 'id', id);
  }

  revokeFamily(id: string, at: number, reason: string): Promise<boolean> {
    return markOnce(this.q, 'oauth_token_families', { id }, 'revoked_at', at, { revoke_reason: reason });
  }

  async insertRefreshToken(t: RefreshTokenRecord): Promise<void> {
    await refreshTokenTable.insert(this.q, t);
  }

  async findRefreshTokenByHash(hash: string): Promise<RefreshTokenRecord | undefined> {
    return refreshTokenTable.findBy(this.q, 'hash', hash);
  }

  async getRefreshToken(id: string): Promise<RefreshTokenRecord | undefined> {
    let query = this.q.selectFrom('oauth_refresh_tokens').selectAll().where('id', '=', id);
    // Two refreshes of one token wait on each other here rather than both reading it unspent.
    if (this.dialectName === 'postgres') query = query.forUpdate();
    const row = await query.executeTakeFirst();
    return row && refreshTokenTable.fromRow(row);
  }

  markRefreshTokenUsed(id: string, at: number, replacedById: string | null): Promise<boolean> {
    return markOnce(this.q, 'oauth_refresh_tokens', { id }, 'used_at', at, { replaced_by_id: replacedById });
  }
}
