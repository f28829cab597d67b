import { IpAllowlist } from '../net/ip-allowlist.js';
import type { RateLimitCheck } from '../ratelimit/rate-limiter.js';
import type { KeyRecord, RatelimitConfig } from '../store/records.js';
import type { UsageBatcher } from './usage-batcher.js';

/** A cached key record with what is compiled from it once; the cache's own entry (no wrapper). */
export interface CachedKey {
  readonly id: string;
  readonly record: KeyRecord;
  readonly allowlist: IpAllowlist | null;
  readonly limits: readonly RateLimitCheck[];
  /** Set by the cache on a hit (CLOCK eviction). */
  hot: boolean;
}

/** Shared by every key without rate limits: one array fewer per cached key. */
const NO_LIMITS: readonly RateLimitCheck[] = Object.freeze([]);

/**
 * The counter a limit counts on: the key's own, or its owner's, shared by all the owner's keys.
 * Each part is percent-encoded, so no `:` inside an owner id or a limit name can make two
 * identities one (owner `a:b` with limit `c` against owner `a` with limit `b:c`).
 */
export function limitIdentity(key: Pick<KeyRecord, 'id' | 'workspaceId' | 'ownerId'>, limit: RatelimitConfig): string {
  const e = encodeURIComponent;
  return limit.identity === 'owner' && key.ownerId !== null
    ? `owner:${e(key.workspaceId)}:${e(key.ownerId)}:${e(limit.name)}`
    : `key:${e(key.id)}:${e(limit.name)}`;
}

/** A record with what is compiled from it once, and the credits the usage batch has not written yet. */
export function compileKey(found: KeyRecord, usage: Pick<UsageBatcher, 'pendingCredits'>): CachedKey {
  const pending = usage.pendingCredits(found.id, found.version);
  if (pending !== undefined && found.credits !== null) {
    found.credits.remaining = pending.remaining;
    found.credits.refilledAt = pending.refilledAt;
  }
  return {
    id: found.id,
    record: found,
    allowlist: found.ipAllowlist.length > 0 ? new IpAllowlist(found.ipAllowlist) : null,
    limits:
      found.ratelimits.length === 0
        ? NO_LIMITS
        : found.ratelimits.map((r) => ({ id: limitIdentity(found, r), name: r.name, limit: r.limit, windowMs: r.windowMs })),
    hot: false,
  };
}
