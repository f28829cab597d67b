import type { RefreshTokenRecord, TokenFamilyRecord } from './oauth-records.js';

/** Where grants are kept: refresh-token families and the rotating refresh tokens of each. */
export interface TokenFamilyRepos {
  insertFamily(f: TokenFamilyRecord): Promise<void>;
  getFamily(id: string): Promise<TokenFamilyRecord | undefined>;
  /** Revokes a family; false when it was revoked already. */
  revokeFamily(id: string, at: number, reason: string): Promise<boolean>;

  insertRefreshToken(t: RefreshTokenRecord): Promise<void>;
  findRefreshTokenByHash(hash: string): Promise<RefreshTokenRecord | undefined>;
  /** A refresh token by id; inside a transaction on PostgreSQL, its row stays locked until the end. */
  getRefreshToken(id: string): Promise<RefreshTokenRecord | undefined>;
  /** Marks a token used if nobody did first (compare-and-set); true when this call did. */
  markRefreshTokenUsed(id: string, at: number, replacedById: string | null): Promise<boolean>;
}
