import type { AccessTokenRepos, OpaqueTokenRecord } from '@tessera/core';
import { deleteExpired, markOnce } from '../rows.js';
import { opaqueTokenTable } from './oauth-rows.js';
import { OAuthHandle } from './oauth-handle.js';

/** Opaque access tokens and revoked JWT ids over Kysely. */
export class KyselyAccessTokenRepos extends OAuthHandle implements AccessTokenRepos {
  async insertOpaqueToken(t: OpaqueTokenRecord): Promise<void> {
    await opaqueTokenTable.insert(this.q, t);
  }

  async findOpaqueToken(hash: string): Promise<OpaqueTokenRecord | undefined> {
    return opaqueTokenTable.findBy(this.q, 'hash', hash);
  }

  async revokeOpaqueToken(hash: string, at: number): Promise<void> {
    await markOnce(this.q, 'oauth_opaque_tokens', { hash }, 'revoked_at', at);
  }

  async revokeJti(jti: string, expiresAt: number): Promise<void> {
    await this.q
      .insertInto('oauth_revoked_jtis')
      .values({ jti, expires_at: expiresAt })
      .onConflict((oc) => oc.column('jti').doNothing())
      .execute();
  }

  async isJtiRevoked(jti: string, now: number): Promise<boolean> {
    const r = await this.q
      .selectFrom('oauth_revoked_jtis')
      .select('jti')
      .where('jti', '=', jti)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return r !== undefined;
  }

  /** Forgets revoked ids and opaque tokens whose time is up. */
  async purgeAccessTokens(now: number): Promise<void> {
    await deleteExpired(this.q, 'oauth_revoked_jtis', now);
    await deleteExpired(this.q, 'oauth_opaque_tokens', now);
  }
}
