import type { OnceRepos } from '@tessera/core';
import { deleteExpired } from '../rows.js';
import { OAuthHandle } from './oauth-handle.js';

/** One-time values over Kysely: the key is the primary key, so only one insert of it can win. */
export class KyselyOnceRepos extends OAuthHandle implements OnceRepos {
  async rememberOnce(key: string, expiresAt: number, now: number): Promise<boolean> {
    // Inserted, or an expired entry taken over: one row changed. A live entry: none — a replay.
    const r = await this.q
      .insertInto('oauth_once')
      .values({ key, expires_at: expiresAt })
      .onConflict((oc) => oc.column('key').doUpdateSet({ expires_at: expiresAt }).where('oauth_once.expires_at', '<=', now))
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  purgeOnce(now: number): Promise<void> {
    return deleteExpired(this.q, 'oauth_once', now);
  }
}
