import type { Page } from '../store/page.js';
import type { Repos } from '../store/store.js';
import type {
  ClientSecretRecord,
  OAuthClientRecord,
  OpaqueTokenRecord,
  RefreshTokenRecord,
  SigningKeyRecord,
  TokenFamilyRecord,
} from './oauth-records.js';

/** The storage port of the authorization server; the same inside and outside a transaction. */
export interface OAuthRepos {
  insertClient(c: OAuthClientRecord): Promise<void>;
  getClient(id: string): Promise<OAuthClientRecord | undefined>;
  listClients(q: { workspaceId: string } & Page): Promise<OAuthClientRecord[]>;
  updateClient(id: string, patch: Partial<Omit<OAuthClientRecord, 'id' | 'workspaceId' | 'createdAt'>>): Promise<void>;

  /**
   * Claims audiences for a workspace: each belongs to one workspace at most (a unique constraint).
   * Returns the first audience another workspace holds (and claims none of the rest), or undefined.
   */
  claimAudiences(workspaceId: string, audiences: readonly string[], now: number): Promise<string | undefined>;
  /** Gives up the workspace's claim on those of these audiences that no live client of it names. */
  releaseAudiences(workspaceId: string, audiences: readonly string[]): Promise<void>;

  insertClientSecret(s: ClientSecretRecord): Promise<void>;
  /** Secrets whose `expiresAt` is null or later than `now`. */
  listLiveClientSecrets(clientId: string, now: number): Promise<ClientSecretRecord[]>;
  expireClientSecret(id: string, expiresAt: number): Promise<void>;

  insertSigningKey(k: SigningKeyRecord): Promise<void>;
  /** Keys still published at `now` (expiresAt > now), oldest activation first. */
  listSigningKeys(now: number): Promise<SigningKeyRecord[]>;

  insertFamily(f: TokenFamilyRecord): Promise<void>;
  getFamily(id: string): Promise<TokenFamilyRecord | undefined>;
  /** Revokes a family; false when it was revoked already. */
  revokeFamily(id: string, at: number, reason: string): Promise<boolean>;

  insertRefreshToken(t: RefreshTokenRecord): Promise<void>;
  findRefreshTokenByHash(hash: string): Promise<RefreshTokenRecord | undefined>;
  getRefreshToken(id: string): Promise<RefreshTokenRecord | undefined>;
  /** Marks a token used if nobody did first (compare-and-set); true when this call did. */
  markRefreshTokenUsed(id: string, at: number, replacedById: string | null): Promise<boolean>;

  insertOpaqueToken(t: OpaqueTokenRecord): Promise<void>;
  findOpaqueToken(hash: string): Promise<OpaqueTokenRecord | undefined>;
  revokeOpaqueToken(hash: string, at: number): Promise<void>;

  /** Remembers a revoked JWT id until the token would have expired anyway. */
  revokeJti(jti: string, expiresAt: number): Promise<void>;
  isJtiRevoked(jti: string, now: number): Promise<boolean>;

  /**
   * Records a one-time value (a `private_key_jwt` or DPoP proof `jti`) until `expiresAt`.
   * True the first time; false while the same value is remembered — a replay.
   */
  rememberOnce(key: string, expiresAt: number, now: number): Promise<boolean>;

  /** Deletes what has expired: replay entries, revoked ids, expired opaque and refresh tokens. */
  purgeExpired(now: number): Promise<void>;
}

export interface OAuthStore extends OAuthRepos {
  /** One transaction over the OAuth tables and the audit chain. */
  transaction<T>(fn: (tx: OAuthRepos & Repos) => Promise<T>): Promise<T>;
}
