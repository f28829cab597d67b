import type { PushedRequestRecord, PushedRequestRepos } from '@tessera/core';
import { deleteExpired, markOnce } from '../rows.js';
import { pushedRequestTable } from './oauth-rows.js';
import { OAuthHandle } from './oauth-handle.js';

/** Pushed authorization requests (RFC 9126) over Kysely. */
export class KyselyPushedRequestRepos extends OAuthHandle implements PushedRequestRepos {
  async insertPushedRequest(r: PushedRequestRecord): Promise<void> {
    await pushedRequestTable.insert(this.q, r);
  }

  findPushedRequest(hash: string): Promise<PushedRequestRecord | undefined> {
    return pushedRequestTable.findBy(this.q, 'hash', hash);
  }

  spendPushedRequest(hash: string, at: number): Promise<boolean> {
    return markOnce(this.q, 'oauth_pushed_requests', { hash }, 'used_at', at);
  }

  purgePushedRequests(now: number): Promise<void> {
    return deleteExpired(this.q, 'oauth_pushed_requests', now);
  }
}
