import type { PushedRequestRecord, PushedRequestRepos } from '@tessera/core';
import type { Kysely } from 'kysely';
import { pushedRequestTable } from './oauth-rows.js';
import type { OAuthDatabase } from './oauth-schema.js';

/** Pushed authorization requests (RFC 9126) over Kysely. */
export class KyselyPushedRequestRepos implements PushedRequestRepos {
  constructor(private readonly q: Kysely<OAuthDatabase>) {}

  async insertPushedRequest(r: PushedRequestRecord): Promise<void> {
    await pushedRequestTable.insert(this.q, r);
  }

  findPushedRequest(hash: string): Promise<PushedRequestRecord | undefined> {
    return pushedRequestTable.findBy(this.q, 'hash', hash);
  }

  async spendPushedRequest(hash: string, at: number): Promise<boolean> {
    const r = await this.q
      .updateTable('oauth_pushed_requests')
      .set({ used_at: at })
      .where('hash', '=', hash)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async purgeExpired(now: number): Promise<void> {
    await this.q.deleteFrom('oauth_pushed_requests').where('expires_at', '<=', now).execute();
  }
}
