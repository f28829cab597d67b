import type { OAuthRepos } from '@tessera/core';
import type { Kysely, Transaction } from 'kysely';
import { composeOnto } from '../kysely-handle.js';
import { KyselyRepos } from '../kysely-repos.js';
import { KyselyPasskeyTable } from '../passkeys/kysely-passkey-table.js';
import type { Database } from '../schema.js';
import { KyselyAccessTokenRepos } from './kysely-access-token-repos.js';
import { KyselyAuthorizationCodeRepos } from './kysely-authorization-code-repos.js';
import { KyselyBrandingRepos } from './kysely-branding-repos.js';
import { KyselyOAuthClientRepos } from './kysely-client-repos.js';
import { KyselyDeviceAuthorizationRepos } from './kysely-device-authorization-repos.js';
import { KyselyEndUserRepos } from './kysely-end-user-repos.js';
import { KyselyOnceRepos } from './kysely-once-repos.js';
import { KyselyPushedRequestRepos } from './kysely-pushed-request-repos.js';
import { KyselySigningKeyRepos } from './kysely-signing-key-repos.js';
import { KyselyTokenFamilyRepos } from './kysely-token-family-repos.js';
import { KyselyUpstreamProviderRepos } from './kysely-upstream-provider-repos.js';
import { KyselyUserGrantRepos } from './kysely-user-grant-repos.js';
import { OAuthHandle } from './oauth-handle.js';

/**
 * The OAuth port over one Kysely handle: each capability's adapter (beside this file), with the
 * core repos and their audit chain, as one transaction writes them together.
 */
export class KyselyOAuthRepos
  extends composeOnto(
    KyselyRepos,
    OAuthHandle,
    KyselyOAuthClientRepos,
    KyselySigningKeyRepos,
    KyselyTokenFamilyRepos,
    KyselyAccessTokenRepos,
    KyselyOnceRepos,
    KyselyEndUserRepos,
    KyselyAuthorizationCodeRepos,
    KyselyDeviceAuthorizationRepos,
    KyselyPushedRequestRepos,
    KyselyUserGrantRepos,
    KyselyBrandingRepos,
    KyselyUpstreamProviderRepos,
  )
  implements OAuthRepos
{
  readonly endUserPasskeys: KyselyPasskeyTable;

  constructor(db: Kysely<Database> | Transaction<Database>, dialectName: 'sqlite' | 'postgres', inTransaction: boolean) {
    super(db, dialectName, inTransaction);
    this.endUserPasskeys = new KyselyPasskeyTable(db as unknown as Kysely<never>, {
      passkeys: 'end_user_passkeys',
      holders: 'end_users',
      key: 'id',
    });
  }

  /** An end user goes with the upstream accounts linked to them. */
  override async deleteEndUser(id: string): Promise<boolean> {
    await this.deleteLinksOfUser(id);
    return super.deleteEndUser(id);
  }

  async purgeExpired(now: number): Promise<void> {
    await this.purgeOnce(now);
    await this.purgeAccessTokens(now);
    await this.purgeAuthorizationCodes(now);
    await this.purgeDeviceAuthorizations(now);
    await this.purgePushedRequests(now);
    await this.purgeFederatedSignIns(now);
  }
}
