import type { OAuthRepos, OAuthStore, Repos } from '@tessera/core';
import type { KyselyStore } from '../kysely-store.js';
import { retryingTransaction } from '../retry-transaction.js';
import { KyselyOAuthRepos } from './kysely-oauth-repos.js';

/** The OAuth store over the same database (and connection pool) as a KyselyStore. */
export class KyselyOAuthStore extends KyselyOAuthRepos implements OAuthStore {
  constructor(private readonly base: KyselyStore) {
    super(base.kysely, base.dialect, false);
  }

  transaction<T>(fn: (tx: OAuthRepos & Repos) => Promise<T>): Promise<T> {
    return retryingTransaction(this.base.kysely, (trx) => fn(new KyselyOAuthRepos(trx, this.base.dialect, true)));
  }
}
