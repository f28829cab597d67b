import type { PushedRequestRecord, PushedRequestRepos } from '@tessera/core';
import type { Kysely } from 'kysely';
import { deleteExpired, markOnce } from '../rows.js';
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

  spendPushedRequest(hash: string, at: number): Promise<boolean> {
    return markOnce(this.q, 'oauth_pushed_requests', { hash }, 'used_at', at);
  }

  purgeExpired(now: number): Promise<void> {
    return deleteExpired(this.q, 'oauth_pushed_requests', now);
  }
}
