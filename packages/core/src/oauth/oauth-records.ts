/** The records of the OAuth authorization server. Times are epoch milliseconds, lifetimes seconds. */

export const GRANT_TYPES = {
  clientCredentials: 'client_credentials',
  authorizationCode: 'authorization_code',
  refreshToken: 'refresh_token',
  tokenExchange: 'urn:ietf:params:oauth:grant-type:token-exchange',
  deviceCode: 'urn:ietf:params:oauth:grant-type:device_code',
} as const;
export type GrantType = (typeof GRANT_TYPES)[keyof typeof GRANT_TYPES];
export const ALL_GRANT_TYPES: readonly GrantType[] = Object.values(GRANT_TYPES);

/** `none`: a public client (a browser or native app), which holds no secret (RFC 6749 §2.1). */
export const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'] as const;
export type ClientAuthMethod = (typeof CLIENT_AUTH_METHODS)[number];

/** Algorithms Tessera signs access tokens with. ML-DSA-65 is named per RFC 9964 (draft-ietf-cose-dilithium). */
export const SIGNING_ALGS = ['EdDSA', 'ES256', 'RS256', 'ML-DSA-65'] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];
/** Algorithms ID tokens are signed with: the client's, but never ML-DSA, which relying parties cannot verify yet. */
export const ID_TOKEN_ALGS = ['EdDSA', 'ES256', 'RS256'] as const;

export interface OAuthClientRecord {
  id: string;
  workspaceId: string;
  name: string;
  /** Scopes the client may be granted; wildcards such as `documents:*` allowed. */
  scopes: string[];
  /** Audiences (resource identifiers) its tokens may name; the first is the default. */
  audience: string[];
  grantTypes: GrantType[];
  /** Where the authorization endpoint may send the user back to, matched exactly (loopback ports aside, RFC 8252 §7.3). */
  redirectUris: string[];
  authMethod: ClientAuthMethod;
  /** Public keys for `private_key_jwt`. */
  jwks: { keys: Record<string, unknown>[] } | null;
  accessTokenFormat: 'jwt' | 'opaque';
  signingAlg: SigningAlg;
  accessTokenTtl: number;
  refreshTokenTtl: number;
  /** Seconds a refresh family lives from its first token, however often it rotates (absolute lifetime). */
  refreshFamilyLifetime: number;
  /** Seconds a just-rotated refresh token may be presented again (0: strict single use). */
  refreshGraceSeconds: number;
  /** Access tokens must be DPoP-bound (RFC 9449 §5.2 `dpop_bound_access_tokens`). */
  dpopBound: boolean;
  /** DPoP proofs must carry a server nonce (RFC 9449 §8). */
  dpopNonce: boolean;
  /** Authorization requests must be pushed first (RFC 9126 §5 `require_pushed_authorization_requests`). */
  requirePar: boolean;
  /** Where users may be sent after signing out (RP-Initiated Logout 1.0 §3), matched exactly. */
  postLogoutRedirectUris: string[];
  /** Browser origins (`scheme://host[:port]`) whose pages may call the token, revocation and userinfo endpoints (CORS). */
  webOrigins: string[];
  /** Rotate the secret every this many days (null: no schedule). */
  secretRotationDays: number | null;
  /** Seconds both secrets work when a scheduled rotation is made (the rotate call's default grace). */
  secretRotationOverlapSeconds: number | null;
  /** When the current secret is due for rotation, under the schedule. */
  secretRotationDueAt: number | null;
  /** When the owner was told it is due (once a secret): `oauth_client.secret_rotation_due`. */
  secretRotationNotifiedAt: number | null;
  createdAt: number;
  updatedAt: number;
  deletedAt: number | null;
}

export interface ClientSecretRecord {
  id: string;
  clientId: string;
  /** HMAC-SHA256 of the secret under the keyring pepper. */
  hash: string;
  pepperVersion: number;
  createdAt: number;
  /** Null while it is the current secret; set when a rotation gives it an end. */
  expiresAt: number | null;
}

export interface SigningKeyRecord {
  kid: string;
  alg: SigningAlg;
  publicJwk: Record<string, unknown>;
  /** The private key, encrypted by the keyring with `oauth_signing_key:<kid>` as associated data. */
  privateKey: string;
  createdAt: number;
  /** Signing starts here ("next" before it). */
  activatesAt: number;
  /** Signing stops here ("previous" after it). */
  retiresAt: number;
  /** Leaves the JWKS here, once every token it signed has expired. */
  expiresAt: number;
}

/** One grant: every refresh token rotated from the same first one. */
export interface TokenFamilyRecord {
  id: string;
  workspaceId: string;
  clientId: string;
  subject: string;
  /** The API key exchanged for the grant, checked again on every refresh. */
  apiKeyId: string | null;
  scope: string[];
  audience: string[];
  createdAt: number;
  revokedAt: number | null;
  revokeReason: string | null;
  /**
   * For a public client's grant made with a DPoP proof: the thumbprint of the proof's key (RFC 7638).
   * Every refresh must prove possession of that key (RFC 9449 §5, RFC 9700 §4.14.2).
   */
  jkt: string | null;
}

export interface RefreshTokenRecord {
  id: string;
  familyId: string;
  hash: string;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
  replacedById: string | null;
}

export interface OpaqueTokenRecord {
  hash: string;
  jti: string;
  workspaceId: string;
  clientId: string;
  subject: string;
  scope: string[];
  audience: string[];
  jkt: string | null;
  issuedAt: number;
  expiresAt: number;
  revokedAt: number | null;
}
