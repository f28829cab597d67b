import type { SigningKeyRecord, SigningKeyRepos } from '@tessera/core';
import type { Kysely } from 'kysely';
import { signingKeyTable } from './oauth-rows.js';
import type { OAuthDatabase } from './oauth-schema.js';

/** The authorization server's signing keys over Kysely. */
export class KyselySigningKeyRepos implements SigningKeyRepos {
  constructor(private readonly q: Kysely<OAuthDatabase>) {}

  async insertSigningKey(k: SigningKeyRecord): Promise<void> {
    await signingKeyTable.insert(this.q, k);
  }

  async listSigningKeys(now: number): Promise<SigningKeyRecord[]> {
    const rows = await this.q.selectFrom('oauth_signing_keys').selectAll().where('expires_at', '>', now).orderBy('activates_at').execute();
    return rows.map(signingKeyTable.fromRow);
  }
}
