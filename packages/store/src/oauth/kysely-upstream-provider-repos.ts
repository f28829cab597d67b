import type { FederatedSignInRecord, UpstreamLinkRecord, UpstreamProviderRecord, UpstreamProviderRepos } from '@tessera/core';
import type { Kysely } from 'kysely';
import type { FederationDatabase } from './federation-schema.js';
import { recordTable } from './row-mapping.js';

const providerTable = recordTable<FederationDatabase, 'oauth_upstream_providers', UpstreamProviderRecord>('oauth_upstream_providers', {
  id: ['id', 'value'],
  workspaceId: ['workspace_id', 'value'],
  name: ['name', 'value'],
  issuer: ['issuer', 'value'],
  clientId: ['client_id', 'value'],
  clientSecretCiphertext: ['client_secret_ciphertext', 'value'],
  scopes: ['scopes', 'json'],
  claimMapping: ['claim_mapping', 'json'],
  createdAt: ['created_at', 'number'],
  updatedAt: ['updated_at', 'number'],
});

const linkTable = recordTable<FederationDatabase, 'end_user_upstream_links', UpstreamLinkRecord>('end_user_upstream_links', {
  providerId: ['provider_id', 'value'],
  subject: ['subject', 'value'],
  userId: ['user_id', 'value'],
  workspaceId: ['workspace_id', 'value'],
  createdAt: ['created_at', 'number'],
});

const signInTable = recordTable<FederationDatabase, 'oauth_federated_sign_ins', FederatedSignInRecord>('oauth_federated_sign_ins', {
  stateHash: ['state_hash', 'value'],
  workspaceId: ['workspace_id', 'value'],
  providerId: ['provider_id', 'value'],
  bindingHash: ['binding_hash', 'value'],
  request: ['request', 'value'],
  createdAt: ['created_at', 'number'],
  expiresAt: ['expires_at', 'number'],
  usedAt: ['used_at', 'number?'],
});

/** Upstream providers, linked accounts and federated sign-ins under way, over Kysely. */
export class KyselyUpstreamProviderRepos implements UpstreamProviderRepos {
  constructor(private readonly q: Kysely<FederationDatabase>) {}

  async insertUpstreamProvider(p: UpstreamProviderRecord): Promise<boolean> {
    const r = await this.q
      .insertInto('oauth_upstream_providers')
      .values(providerTable.toRow(p) as FederationDatabase['oauth_upstream_providers'])
      .onConflict((oc) => oc.columns(['workspace_id', 'name']).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  getUpstreamProvider(id: string): Promise<UpstreamProviderRecord | undefined> {
    return providerTable.findBy(this.q, 'id', id);
  }

  async listUpstreamProviders(workspaceId: string): Promise<UpstreamProviderRecord[]> {
    const rows = await this.q
      .selectFrom('oauth_upstream_providers')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .orderBy('id')
      .execute();
    return rows.map(providerTable.fromRow);
  }

  async deleteUpstreamProvider(id: string): Promise<boolean> {
    await this.q.deleteFrom('end_user_upstream_links').where('provider_id', '=', id).execute();
    const r = await this.q.deleteFrom('oauth_upstream_providers').where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) === 1;
  }

  async findUpstreamLink(providerId: string, subject: string): Promise<UpstreamLinkRecord | undefined> {
    const row = await this.q
      .selectFrom('end_user_upstream_links')
      .selectAll()
      .where('provider_id', '=', providerId)
      .where('subject', '=', subject)
      .executeTakeFirst();
    return row && linkTable.fromRow(row);
  }

  async insertUpstreamLink(l: UpstreamLinkRecord): Promise<boolean> {
    const r = await this.q
      .insertInto('end_user_upstream_links')
      .values(linkTable.toRow(l) as FederationDatabase['end_user_upstream_links'])
      .onConflict((oc) => oc.columns(['provider_id', 'subject']).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async insertFederatedSignIn(s: FederatedSignInRecord): Promise<void> {
    await signInTable.insert(this.q, s);
  }

  findFederatedSignIn(stateHash: string): Promise<FederatedSignInRecord | undefined> {
    return signInTable.findBy(this.q, 'state_hash', stateHash);
  }

  async spendFederatedSignIn(stateHash: string, at: number): Promise<boolean> {
    const r = await this.q
      .updateTable('oauth_federated_sign_ins')
      .set({ used_at: at })
      .where('state_hash', '=', stateHash)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Forgets the links of a deleted end user. */
  async deleteLinksOfUser(userId: string): Promise<void> {
    await this.q.deleteFrom('end_user_upstream_links').where('user_id', '=', userId).execute();
  }

  async purgeExpired(now: number): Promise<void> {
    await this.q.deleteFrom('oauth_federated_sign_ins').where('expires_at', '<=', now).execute();
  }
}
