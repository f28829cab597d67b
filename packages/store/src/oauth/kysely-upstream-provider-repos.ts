import type { FederatedSignInRecord, UpstreamLinkRecord, UpstreamProviderRecord, UpstreamProviderRepos } from '@tessera/core';
import type { FederationDatabase } from './federation-schema.js';
import { deleteExpired, insertIfAbsent, markOnce, rowsWhere, rowWhere } from '../rows.js';
import { recordTable } from './row-mapping.js';
import { OAuthHandle } from './oauth-handle.js';

const providerTable = recordTable<FederationDatabase, 'oauth_upstream_providers', UpstreamProviderRecord>('oauth_upstream_providers', {
  id: 'value',
  workspaceId: 'value',
  name: 'value',
  issuer: 'value',
  clientId: 'value',
  clientSecretCiphertext: 'value',
  scopes: 'json',
  claimMapping: 'json',
  createdAt: 'number',
  updatedAt: 'number',
});

const linkTable = recordTable<FederationDatabase, 'end_user_upstream_links', UpstreamLinkRecord>('end_user_upstream_links', {
  providerId: 'value',
  subject: 'value',
  userId: 'value',
  workspaceId: 'value',
  createdAt: 'number',
});

const signInTable = recordTable<FederationDatabase, 'oauth_federated_sign_ins', FederatedSignInRecord>('oauth_federated_sign_ins', {
  stateHash: 'value',
  workspaceId: 'value',
  providerId: 'value',
  bindingHash: 'value',
  request: 'value',
  createdAt: 'number',
  expiresAt: 'number',
  usedAt: 'number?',
});

/** Upstream providers, linked accounts and federated sign-ins under way, over Kysely. */
export class KyselyUpstreamProviderRepos extends OAuthHandle implements UpstreamProviderRepos {
  insertUpstreamProvider(p: UpstreamProviderRecord): Promise<boolean> {
    const row = providerTable.toRow(p) as FederationDatabase['oauth_upstream_providers'];
    return insertIfAbsent(this.federation, 'oauth_upstream_providers', row, ['workspace_id', 'name']);
  }

  getUpstreamProvider(id: string): Promise<UpstreamProviderRecord | undefined> {
    return providerTable.findBy(this.federation, 'id', id);
  }

  listUpstreamProviders(workspaceId: string): Promise<UpstreamProviderRecord[]> {
    return rowsWhere(this.federation, 'oauth_upstream_providers', { workspace_id: workspaceId }, 'id', providerTable.fromRow);
  }

  async deleteUpstreamProvider(id: string): Promise<boolean> {
    await this.federation.deleteFrom('end_user_upstream_links').where('provider_id', '=', id).execute();
    const r = await this.federation.deleteFrom('oauth_upstream_providers').where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) === 1;
  }

  findUpstreamLink(providerId: string, subject: string): Promise<UpstreamLinkRecord | undefined> {
    return rowWhere(this.federation, 'end_user_upstream_links', { provider_id: providerId, subject }, linkTable.fromRow);
  }

  insertUpstreamLink(l: UpstreamLinkRecord): Promise<boolean> {
    const row = linkTable.toRow(l) as FederationDatabase['end_user_upstream_links'];
    return insertIfAbsent(this.federation, 'end_user_upstream_links', row, ['provider_id', 'subject']);
  }

  async insertFederatedSignIn(s: FederatedSignInRecord): Promise<void> {
    await signInTable.insert(this.federation, s);
  }

  findFederatedSignIn(stateHash: string): Promise<FederatedSignInRecord | undefined> {
    return signInTable.findBy(this.federation, 'state_hash', stateHash);
  }

  spendFederatedSignIn(stateHash: string, at: number): Promise<boolean> {
    return markOnce(this.federation, 'oauth_federated_sign_ins', { state_hash: stateHash }, 'used_at', at);
  }

  /** Forgets the links of a deleted end user. */
  async deleteLinksOfUser(userId: string): Promise<void> {
    await this.federation.deleteFrom('end_user_upstream_links').where('user_id', '=', userId).execute();
  }

  purgeFederatedSignIns(now: number): Promise<void> {
    return deleteExpired(this.federation, 'oauth_federated_sign_ins', now);
  }
}
