import type { RateLimitState } from '../ratelimit/rate-limiter.js';
import type { KeyRecord } from '../store/records.js';
import type { VerifyCode } from '@tessera/api';

/** What a verification is asked: the key presented, and what the caller requires of it. */
export interface VerifyInput {
  key: string;
  /** The workspace of the caller; keys of other workspaces are NOT_FOUND. */
  workspaceId: string;
  /** The keyspaces of a caller limited to some; keys of any other keyspace are NOT_FOUND. */
  keyspaceIds?: readonly string[] | null | undefined;
  /** A required scope or an expression such as `a and (b or c)`. */
  scopes?: string | undefined;
  /**
   * Pins: only a key of this keyspace, or of this environment, passes; any other answers NOT_FOUND,
   * exactly as an unknown key, and spends nothing (so a test key cannot pass a production route).
   */
  keyspaceId?: string | undefined;
  environment?: string | undefined;
  /** Address of the end client that presented the key. */
  ip?: string | undefined;
  /** Credits to spend; 0 checks without spending. Default 1. */
  cost?: number | undefined;
  /** For usage events only: the end client's user agent, and what it asked for. */
  userAgent?: string | undefined;
  resource?: string | undefined;
  method?: string | undefined;
}

/** A verification's answer: a code, and what the caller may see of a key that was found. */
export interface VerifyResult {
  valid: boolean;
  code: VerifyCode;
  keyId?: string;
  keyspaceId?: string;
  ownerId?: string | null;
  name?: string | null;
  scopes?: string[];
  meta?: Record<string, unknown> | null;
  environment?: string | null;
  expiresAt?: number | null;
  credits?: { remaining: number } | null;
  ratelimits?: RateLimitState[];
}

export const MALFORMED: VerifyResult = Object.freeze({ valid: false, code: 'MALFORMED' });
export const NOT_FOUND: VerifyResult = Object.freeze({ valid: false, code: 'NOT_FOUND' });

/** The answer for a key that was found, with `code`; a new object each time (the caller may add rate limits). */
export function keyResult(key: KeyRecord, code: VerifyCode): VerifyResult {
  return {
    valid: code === 'VALID',
    code,
    keyId: key.id,
    keyspaceId: key.keyspaceId,
    ownerId: key.ownerId,
    name: key.name,
    scopes: key.scopes,
    meta: key.meta,
    environment: key.environment,
    expiresAt: key.expiresAt,
    credits: key.credits === null ? null : { remaining: key.credits.remaining },
  };
}
