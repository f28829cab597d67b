import type {
  AuthorizationCodeRecord,
  ClientSecretRecord,
  ConsentRecord,
  DeviceAuthorizationRecord,
  PushedRequestRecord,
  EndUserPatch,
  EndUserRecord,
  FederatedSignInRecord,
  UpstreamLinkRecord,
  UpstreamProviderRecord,
  OAuthClientRecord,
  OAuthRepos,
  OpaqueTokenRecord,
  Page,
  RefreshTokenRecord,
  SigningKeyRecord,
  SigningKeyTimes,
  TokenFamilyRecord,
  WorkspaceBranding,
} from '@tessera/core';
import type { Kysely, Transaction } from 'kysely';
import { KyselyRepos } from '../kysely-repos.js';
import { KyselyPasskeyTable } from '../passkeys/kysely-passkey-table.js';
import type { Database } from '../schema.js';
import { KyselyAccessTokenRepos } from './kysely-access-token-repos.js';
import { KyselyAuthorizationCodeRepos } from './kysely-authorization-code-repos.js';
import { KyselyDeviceAuthorizationRepos } from './kysely-device-authorization-repos.js';
import { KyselyPushedRequestRepos } from './kysely-pushed-request-repos.js';
import { KyselyEndUserRepos } from './kysely-end-user-repos.js';
import { KyselyOAuthClientRepos } from './kysely-client-repos.js';
import { KyselyOnceRepos } from './kysely-once-repos.js';
import { KyselySigningKeyRepos } from './kysely-signing-key-repos.js';
import { KyselyTokenFamilyRepos } from './kysely-token-family-repos.js';
import { KyselyUserGrantRepos } from './kysely-user-grant-repos.js';
import { KyselyBrandingRepos } from './kysely-branding-repos.js';
import { KyselyUpstreamProviderRepos } from './kysely-upstream-provider-repos.js';
import type { FederationDatabase } from './federation-schema.js';
import type { OAuthDatabase } from './oauth-schema.js';

/**
 * The OAuth port over one Kysely handle: each capability's adapter (beside this file), with the
 * core repos and their audit chain, as one transaction writes them together.
 */
export class KyselyOAuthRepos extends KyselyRepos implements OAuthRepos {
  private readonly clients: KyselyOAuthClientRepos;
  private readonly signingKeys: KyselySigningKeyRepos;
  private readonly families: KyselyTokenFamilyRepos;
  private readonly accessTokens: KyselyAccessTokenRepos;
  private readonly once: KyselyOnceRepos;
  private readonly endUsers: KyselyEndUserRepos;
  private readonly codes: KyselyAuthorizationCodeRepos;
  private readonly devices: KyselyDeviceAuthorizationRepos;
  private readonly pushed: KyselyPushedRequestRepos;
  private readonly grants: KyselyUserGrantRepos;
  private readonly brandings: KyselyBrandingRepos;
  private readonly upstream: KyselyUpstreamProviderRepos;
  readonly endUserPasskeys: KyselyPasskeyTable;

  constructor(db: Kysely<Database> | Transaction<Database>, dialectName: 'sqlite' | 'postgres', inTransaction: boolean) {
    super(db, dialectName, inTransaction);
    const q = db as unknown as Kysely<OAuthDatabase>;
    this.clients = new KyselyOAuthClientRepos(q);
    this.signingKeys = new KyselySigningKeyRepos(q);
    this.families = new KyselyTokenFamilyRepos(q, dialectName);
    this.accessTokens = new KyselyAccessTokenRepos(q);
    this.once = new KyselyOnceRepos(q);
    this.endUsers = new KyselyEndUserRepos(q);
    this.codes = new KyselyAuthorizationCodeRepos(q);
    this.devices = new KyselyDeviceAuthorizationRepos(q);
    this.pushed = new KyselyPushedRequestRepos(q);
    this.brandings = new KyselyBrandingRepos(q);
    this.grants = new KyselyUserGrantRepos(q);
    this.upstream = new KyselyUpstreamProviderRepos(db as unknown as Kysely<FederationDatabase>);
    this.endUserPasskeys = new KyselyPasskeyTable(db as unknown as Kysely<never>, {
      passkeys: 'end_user_passkeys',
      holders: 'end_users',
      key: 'id',
    });
  }

  insertClient(c: OAuthClientRecord): Promise<void> {
    return this.clients.insertClient(c);
  }
  getClient(id: string): Promise<OAuthClientRecord | undefined> {
    return this.clients.getClient(id);
  }
  listClients(q: { workspaceId: string } & Page): Promise<OAuthClientRecord[]> {
    return this.clients.listClients(q);
  }
  listConsentsOfUser(userId: string): Promise<ConsentRecord[]> {
    return this.grants.listConsentsOfUser(userId);
  }
  deleteConsents(userId: string, clientId?: string): Promise<number> {
    return this.grants.deleteConsents(userId, clientId);
  }
  listLiveFamiliesOfSubject(subject: string, clientId: string | undefined, limit: number): Promise<TokenFamilyRecord[]> {
    return this.grants.listLiveFamiliesOfSubject(subject, clientId, limit);
  }
  webOriginRegistered(origin: string): Promise<boolean> {
    return this.clients.webOriginRegistered(origin);
  }
  updateClient(id: string, patch: Partial<OAuthClientRecord>): Promise<void> {
    return this.clients.updateClient(id, patch);
  }
  claimAudiences(workspaceId: string, audiences: readonly string[], now: number): Promise<string | undefined> {
    return this.clients.claimAudiences(workspaceId, audiences, now);
  }
  releaseAudiences(workspaceId: string, audiences: readonly string[]): Promise<void> {
    return this.clients.releaseAudiences(workspaceId, audiences);
  }
  listClientsDueForSecretRotation(now: number, limit: number): Promise<OAuthClientRecord[]> {
    return this.clients.listClientsDueForSecretRotation(now, limit);
  }
  markSecretRotationNotified(id: string, dueAt: number, now: number): Promise<boolean> {
    return this.clients.markSecretRotationNotified(id, dueAt, now);
  }
  insertClientSecret(s: ClientSecretRecord): Promise<void> {
    return this.clients.insertClientSecret(s);
  }
  listLiveClientSecrets(clientId: string, now: number): Promise<ClientSecretRecord[]> {
    return this.clients.listLiveClientSecrets(clientId, now);
  }
  expireClientSecret(id: string, expiresAt: number): Promise<void> {
    return this.clients.expireClientSecret(id, expiresAt);
  }

  insertSigningKey(k: SigningKeyRecord): Promise<void> {
    return this.signingKeys.insertSigningKey(k);
  }
  listSigningKeys(now: number): Promise<SigningKeyRecord[]> {
    return this.signingKeys.listSigningKeys(now);
  }
  rescheduleSigningKey(kid: string, times: SigningKeyTimes): Promise<boolean> {
    return this.signingKeys.rescheduleSigningKey(kid, times);
  }

  insertFamily(f: TokenFamilyRecord): Promise<void> {
    return this.families.insertFamily(f);
  }
  getFamily(id: string): Promise<TokenFamilyRecord | undefined> {
    return this.families.getFamily(id);
  }
  revokeFamily(id: string, at: number, reason: string): Promise<boolean> {
    return this.families.revokeFamily(id, at, reason);
  }
  insertRefreshToken(t: RefreshTokenRecord): Promise<void> {
    return this.families.insertRefreshToken(t);
  }
  findRefreshTokenByHash(hash: string): Promise<RefreshTokenRecord | undefined> {
    return this.families.findRefreshTokenByHash(hash);
  }
  getRefreshToken(id: string): Promise<RefreshTokenRecord | undefined> {
    return this.families.getRefreshToken(id);
  }
  markRefreshTokenUsed(id: string, at: number, replacedById: string | null): Promise<boolean> {
    return this.families.markRefreshTokenUsed(id, at, replacedById);
  }

  insertOpaqueToken(t: OpaqueTokenRecord): Promise<void> {
    return this.accessTokens.insertOpaqueToken(t);
  }
  findOpaqueToken(hash: string): Promise<OpaqueTokenRecord | undefined> {
    return this.accessTokens.findOpaqueToken(hash);
  }
  revokeOpaqueToken(hash: string, at: number): Promise<void> {
    return this.accessTokens.revokeOpaqueToken(hash, at);
  }
  revokeJti(jti: string, expiresAt: number): Promise<void> {
    return this.accessTokens.revokeJti(jti, expiresAt);
  }
  isJtiRevoked(jti: string, now: number): Promise<boolean> {
    return this.accessTokens.isJtiRevoked(jti, now);
  }

  rememberOnce(key: string, expiresAt: number, now: number): Promise<boolean> {
    return this.once.rememberOnce(key, expiresAt, now);
  }

  insertEndUser(u: EndUserRecord): Promise<boolean> {
    return this.endUsers.insertEndUser(u);
  }
  getEndUser(id: string): Promise<EndUserRecord | undefined> {
    return this.endUsers.getEndUser(id);
  }
  findEndUserByEmail(workspaceId: string, email: string): Promise<EndUserRecord | undefined> {
    return this.endUsers.findEndUserByEmail(workspaceId, email);
  }
  listEndUsers(q: { workspaceId: string } & Page): Promise<EndUserRecord[]> {
    return this.endUsers.listEndUsers(q);
  }
  updateEndUser(id: string, patch: EndUserPatch): Promise<void> {
    return this.endUsers.updateEndUser(id, patch);
  }
  getBranding(workspaceId: string): Promise<WorkspaceBranding | undefined> {
    return this.brandings.getBranding(workspaceId);
  }
  saveBranding(b: WorkspaceBranding): Promise<void> {
    return this.brandings.saveBranding(b);
  }
  spendEndUserTotpStep(id: string, step: number, at: number): Promise<boolean> {
    return this.endUsers.spendEndUserTotpStep(id, step, at);
  }
  async deleteEndUser(id: string): Promise<boolean> {
    await this.upstream.deleteLinksOfUser(id);
    return this.endUsers.deleteEndUser(id);
  }

  insertUpstreamProvider(p: UpstreamProviderRecord): Promise<boolean> {
    return this.upstream.insertUpstreamProvider(p);
  }
  getUpstreamProvider(id: string): Promise<UpstreamProviderRecord | undefined> {
    return this.upstream.getUpstreamProvider(id);
  }
  listUpstreamProviders(workspaceId: string): Promise<UpstreamProviderRecord[]> {
    return this.upstream.listUpstreamProviders(workspaceId);
  }
  deleteUpstreamProvider(id: string): Promise<boolean> {
    return this.upstream.deleteUpstreamProvider(id);
  }
  findUpstreamLink(providerId: string, subject: string): Promise<UpstreamLinkRecord | undefined> {
    return this.upstream.findUpstreamLink(providerId, subject);
  }
  insertUpstreamLink(l: UpstreamLinkRecord): Promise<boolean> {
    return this.upstream.insertUpstreamLink(l);
  }
  insertFederatedSignIn(s: FederatedSignInRecord): Promise<void> {
    return this.upstream.insertFederatedSignIn(s);
  }
  findFederatedSignIn(stateHash: string): Promise<FederatedSignInRecord | undefined> {
    return this.upstream.findFederatedSignIn(stateHash);
  }
  spendFederatedSignIn(stateHash: string, at: number): Promise<boolean> {
    return this.upstream.spendFederatedSignIn(stateHash, at);
  }

  insertAuthorizationCode(c: AuthorizationCodeRecord): Promise<void> {
    return this.codes.insertAuthorizationCode(c);
  }
  findAuthorizationCode(hash: string): Promise<AuthorizationCodeRecord | undefined> {
    return this.codes.findAuthorizationCode(hash);
  }
  spendAuthorizationCode(
    hash: string,
    at: number,
    issued: { familyId: string | null; accessTokenJti: string; accessTokenExpiresAt: number },
  ): Promise<boolean> {
    return this.codes.spendAuthorizationCode(hash, at, issued);
  }
  getConsent(userId: string, clientId: string): Promise<ConsentRecord | undefined> {
    return this.codes.getConsent(userId, clientId);
  }
  saveConsent(c: ConsentRecord): Promise<void> {
    return this.codes.saveConsent(c);
  }

  insertDeviceAuthorization(d: DeviceAuthorizationRecord): Promise<boolean> {
    return this.devices.insertDeviceAuthorization(d);
  }
  findDeviceAuthorization(deviceCodeHash: string): Promise<DeviceAuthorizationRecord | undefined> {
    return this.devices.findDeviceAuthorization(deviceCodeHash);
  }
  findDeviceAuthorizationByUserCode(userCodeHash: string): Promise<DeviceAuthorizationRecord | undefined> {
    return this.devices.findDeviceAuthorizationByUserCode(userCodeHash);
  }
  recordDevicePoll(deviceCodeHash: string, previous: number | null, at: number, interval: number): Promise<boolean> {
    return this.devices.recordDevicePoll(deviceCodeHash, previous, at, interval);
  }
  decideDeviceAuthorization(
    deviceCodeHash: string,
    decision: { status: 'approved' | 'denied'; userId: string; authTime: number; amr: string[]; at: number },
  ): Promise<boolean> {
    return this.devices.decideDeviceAuthorization(deviceCodeHash, decision);
  }
  spendDeviceAuthorization(deviceCodeHash: string): Promise<boolean> {
    return this.devices.spendDeviceAuthorization(deviceCodeHash);
  }

  insertPushedRequest(r: PushedRequestRecord): Promise<void> {
    return this.pushed.insertPushedRequest(r);
  }
  findPushedRequest(hash: string): Promise<PushedRequestRecord | undefined> {
    return this.pushed.findPushedRequest(hash);
  }
  spendPushedRequest(hash: string, at: number): Promise<boolean> {
    return this.pushed.spendPushedRequest(hash, at);
  }

  async purgeExpired(now: number): Promise<void> {
    await this.once.purgeExpired(now);
    await this.accessTokens.purgeExpired(now);
    await this.codes.purgeExpired(now);
    await this.devices.purgeExpired(now);
    await this.pushed.purgeExpired(now);
    await this.upstream.purgeExpired(now);
  }
}
