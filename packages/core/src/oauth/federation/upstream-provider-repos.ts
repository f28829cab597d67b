import type { FederatedSignInRecord, UpstreamLinkRecord, UpstreamProviderRecord } from './upstream-provider-records.js';

/** Where upstream providers, the accounts linked to them and the sign-ins under way are kept. */
export interface UpstreamProviderRepos {
  /** Inserts a provider; false when the workspace has one of that name already. */
  insertUpstreamProvider(p: UpstreamProviderRecord): Promise<boolean>;
  getUpstreamProvider(id: string): Promise<UpstreamProviderRecord | undefined>;
  /** The workspace's providers in id order. */
  listUpstreamProviders(workspaceId: string): Promise<UpstreamProviderRecord[]>;
  /** Deletes a provider with its links; false when there was none. */
  deleteUpstreamProvider(id: string): Promise<boolean>;
  findUpstreamLink(providerId: string, subject: string): Promise<UpstreamLinkRecord | undefined>;
  /** Links an upstream account; false when that account is linked already. */
  insertUpstreamLink(l: UpstreamLinkRecord): Promise<boolean>;
  insertFederatedSignIn(s: FederatedSignInRecord): Promise<void>;
  findFederatedSignIn(stateHash: string): Promise<FederatedSignInRecord | undefined>;
  /** Marks a sign-in as come back; false when it had been already (a replay). */
  spendFederatedSignIn(stateHash: string, at: number): Promise<boolean>;
}
