import type { OpaqueTokenRecord } from './oauth-records.js';

/** Where what access tokens need after issuance is kept: opaque tokens, and revoked JWT ids. */
export interface AccessTokenRepos {
  insertOpaqueToken(t: OpaqueTokenRecord): Promise<void>;
  findOpaqueToken(hash: string): Promise<OpaqueTokenRecord | undefined>;
  /** Revokes an opaque token; one revoked already keeps its first revocation time. */
  revokeOpaqueToken(hash: string, at: number): Promise<void>;

  /** Remembers a revoked JWT id until the token would have expired anyway. */
  revokeJti(jti: string, expiresAt: number): Promise<void>;
  isJtiRevoked(jti: string, now: number): Promise<boolean>;
}
