import type { SigningKeyRecord, SigningKeyRepos, SigningKeyTimes } from '@tessera/core';
import { signingKeyTable } from './oauth-rows.js';
import { OAuthHandle } from './oauth-handle.js';

/** The authorization server's signing keys over Kysely. */
export class KyselySigningKeyRepos extends OAuthHandle implements SigningKeyRepos {
  async insertSigningKey(k: SigningKeyRecord): Promise<void> {
    await signingKeyTable.insert(this.q, k);
  }

  async listSigningKeys(now: number): Promise<SigningKeyRecord[]> {
    const rows = await this.q.selectFrom('oauth_signing_keys').selectAll().where('expires_at', '>', now).orderBy('activates_at').execute();
    return rows.map(signingKeyTable.fromRow);
  }

  async rescheduleSigningKey(kid: string, t: SigningKeyTimes): Promise<boolean> {
    const r = await this.q
      .updateTable('oauth_signing_keys')
      .set({ activates_at: t.activatesAt, retires_at: t.retiresAt, expires_at: t.expiresAt })
      .where('kid', '=', kid)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
}
