import type { Clock } from '../clock.js';
import { TesseraError } from '../errors.js';
import type { Keyring } from '../custody/envelope-keyring.js';
import { IpAllowlist } from '../net/ip-allowlist.js';
import { spendsCredits, type CreditOutcome } from '../ratelimit/credit-limiter.js';
import type { RateLimitCheck, RateLimiter, RateLimitOutcome, RateLimitState } from '../ratelimit/rate-limiter.js';
import { parseScopeExpression, satisfies, type ScopeExpression } from '../scopes/scope-expression.js';
import type { KeyRecord, RatelimitConfig } from '../store/records.js';
import type { Store } from '../store/store.js';
import { isWellFormedKey } from './key-format.js';
import { isNegative, RecordCache } from './record-cache.js';
import type { UsageBatcher } from './usage-batcher.js';
import type { VerificationSink } from '../usage/usage-recorder.js';
import type { VerifyCode } from './verify-codes.js';

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

/** A cached key record with what is compiled from it once; the cache's own entry (no wrapper). */
interface CachedKey {
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

const MALFORMED: VerifyResult = Object.freeze({ valid: false, code: 'MALFORMED' });
const NOT_FOUND: VerifyResult = Object.freeze({ valid: false, code: 'NOT_FOUND' });

/**
 * Verification of API keys: the hot path. A cached key is answered without awaiting anything
 * (the method returns a plain value when it can, a promise only when it must go to the store
 * or to a shared rate limiter).
 */
export class KeyVerifier {
  readonly cache: RecordCache<CachedKey>;
  private readonly inflight = new Map<string, Promise<CachedKey | undefined>>();
  private readonly expressions = new Map<string, ScopeExpression>();

  constructor(
    private readonly deps: {
      store: Pick<Store, 'findKeyByHash' | 'getKey'>;
      keyring: Keyring;
      clock: Clock;
      rateLimiter: RateLimiter;
      usage: UsageBatcher;
      /** Receives every answer, for usage events and anomaly detection (an in-memory append). */
      events?: VerificationSink | undefined;
      /** Told of a key found under an older pepper version, with its hash under the current one (lazy re-hash). */
      onStaleHash?: ((record: KeyRecord, hash: string, pepperVersion: number) => void) | undefined;
    },
    cacheOptions = { maxEntries: 100_000, maxNegativeEntries: 10_000, negativeTtlMs: 30_000 },
  ) {
    this.cache = new RecordCache(cacheOptions);
  }

  verify(input: VerifyInput): VerifyResult | Promise<VerifyResult> {
    const sink = this.deps.events;
    if (sink === undefined) return this.decide(input);
    const r = this.decide(input);
    if (!(r instanceof Promise)) {
      sink.record(input, r);
      return r;
    }
    return r.then((v) => {
      sink.record(input, v);
      return v;
    });
  }

  private decide(input: VerifyInput): VerifyResult | Promise<VerifyResult> {
    if (typeof input.key !== 'string' || !isWellFormedKey(input.key)) return MALFORMED;
    const now = this.deps.clock.now();
    const digest = this.cache.digest(input.key);
    const hit = this.cache.get(digest, now);
    if (hit === undefined) return this.verifyMiss(input, digest);
    if (isNegative(hit)) return NOT_FOUND;
    return this.check(hit, input, now);
  }

  /**
   * Checks a key known by its id, as a verification of the key itself would: workspace, state,
   * IP allowlist, scopes, rate limits and credits (spent like any use). For a grant that stands in
   * for a key, such as a refresh of tokens the key was exchanged for. The record cached for the
   * key is used when there is one, so credits and limits are counted in one place.
   */
  async verifyById(keyId: string, input: Omit<VerifyInput, 'key'>): Promise<VerifyResult> {
    let cached = this.cache.peekById(keyId);
    if (cached === undefined) {
      let found: KeyRecord | undefined;
      try {
        found = await this.deps.store.getKey(keyId);
      } catch {
        throw new TesseraError('STORE_UNAVAILABLE', 'The key store is unavailable; try again shortly.');
      }
      if (found === undefined || found.deletedAt !== null) return NOT_FOUND;
      cached = this.compile(found);
    }
    const r = await this.check(cached, { ...input, key: '' }, this.deps.clock.now());
    if (r.keyId !== undefined) this.deps.events?.record({ ...input, key: '' }, r);
    return r;
  }

  /** Parses (and remembers) a scope expression; throws VALIDATION_FAILED when it is not one. */
  expression(source: string): ScopeExpression {
    let e = this.expressions.get(source);
    if (e === undefined) {
      try {
        e = parseScopeExpression(source);
      } catch (err) {
        throw new TesseraError('VALIDATION_FAILED', (err as Error).message);
      }
      if (this.expressions.size >= 1000) this.expressions.clear();
      this.expressions.set(source, e);
    }
    return e;
  }

  private async verifyMiss(input: VerifyInput, digest: string): Promise<VerifyResult> {
    let load = this.inflight.get(digest);
    if (load === undefined) {
      load = this.load(input.key, digest).finally(() => this.inflight.delete(digest));
      this.inflight.set(digest, load);
    }
    const cached = await load;
    if (cached === undefined) return NOT_FOUND;
    return this.check(cached, input, this.deps.clock.now());
  }

  private async load(key: string, digest: string): Promise<CachedKey | undefined> {
    const { keyring, store } = this.deps;
    const generation = this.cache.generation;
    let found: KeyRecord | undefined;
    let currentHash = '';
    // Keys hashed before a pepper rotation are found under their own version.
    for (const version of keyring.pepperVersions) {
      const h = keyring.hash('api_key', key, version);
      if (version === keyring.currentPepperVersion) currentHash = h;
      try {
        found = await store.findKeyByHash(h);
      } catch {
        // Fail closed: an unknown key is never let in while the store cannot answer.
        throw new TesseraError('STORE_UNAVAILABLE', 'The key store is unavailable; try again shortly.');
      }
      if (found !== undefined) {
        currentHash = h;
        break;
      }
    }
    // A lazy re-hash may have moved the key to the current version after it was looked up there:
    // a miss under every version looks once more, so a valid key is not answered NOT_FOUND (and
    // negatively cached) for racing its own re-hash. Keys under the current version never get here.
    if (found === undefined && keyring.pepperVersions.length > 1) {
      try {
        found = await store.findKeyByHash(currentHash);
      } catch {
        throw new TesseraError('STORE_UNAVAILABLE', 'The key store is unavailable; try again shortly.');
      }
    }
    const stale = generation !== this.cache.generation;
    if (found === undefined || found.deletedAt !== null) {
      if (!stale) this.cache.setNegative(digest, currentHash, this.deps.clock.now());
      return undefined;
    }
    if (found.pepperVersion !== keyring.currentPepperVersion && this.deps.onStaleHash !== undefined) {
      this.deps.onStaleHash(found, keyring.hash('api_key', key), keyring.currentPepperVersion);
    }
    const compiled = this.compile(found);
    // A change that raced with this load may have made the record stale: answer, but do not keep it.
    return stale ? compiled : this.cache.set(digest, compiled);
  }

  /** A record with what is compiled from it once, and the credits the usage batch has not written yet. */
  private compile(found: KeyRecord): CachedKey {
    const pending = this.deps.usage.pendingCredits(found.id, found.version);
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

  private check(cached: CachedKey, input: VerifyInput, now: number): VerifyResult | Promise<VerifyResult> {
    const key = cached.record;
    if (key.workspaceId !== input.workspaceId || key.deletedAt !== null) return NOT_FOUND;
    if (
      (input.keyspaceId !== undefined && key.keyspaceId !== input.keyspaceId) ||
      (input.environment !== undefined && key.environment !== input.environment)
    )
      return NOT_FOUND;
    if (input.keyspaceIds !== undefined && input.keyspaceIds !== null && !input.keyspaceIds.includes(key.keyspaceId)) return NOT_FOUND;
    if (key.revokedAt !== null) return this.describe(key, 'REVOKED');
    if (key.expiresAt !== null && key.expiresAt <= now) return this.describe(key, 'EXPIRED');
    if (!key.enabled) return this.describe(key, 'DISABLED');
    if (cached.allowlist !== null && (input.ip === undefined || !cached.allowlist.allows(input.ip))) {
      return this.describe(key, 'IP_NOT_ALLOWED');
    }
    if (input.scopes !== undefined && !satisfies(this.expression(input.scopes), key.scopes)) {
      return this.describe(key, 'INSUFFICIENT_SCOPE');
    }
    const limiter = this.deps.rateLimiter;
    if (key.credits !== null && spendsCredits(limiter)) {
      // Shared credits: limits and credits in one atomic step on the shared state.
      const c = key.credits;
      const spend = {
        keyId: key.id,
        version: key.version,
        cost: input.cost ?? 1,
        known: { remaining: c.remaining, refilledAt: c.refilledAt },
        refill: c.refill,
        createdAt: key.createdAt,
      };
      return limiter
        .consumeWithCredits(cached.limits, spend, now)
        .then((o) => (o.credits === undefined ? this.afterLimits(key, input, now, o) : this.afterSharedCredits(key, now, o, o.credits)));
    }
    if (cached.limits.length === 0) return this.spend(key, input, now, undefined);
    const outcome = limiter.consume(cached.limits, now);
    return outcome instanceof Promise
      ? outcome.then((o) => this.afterLimits(key, input, now, o))
      : this.afterLimits(key, input, now, outcome);
  }

  private afterLimits(key: KeyRecord, input: VerifyInput, now: number, outcome: RateLimitOutcome): VerifyResult {
    if (!outcome.allowed) {
      const r = this.describe(key, 'RATE_LIMITED');
      r.ratelimits = outcome.states;
      return r;
    }
    return this.spend(key, input, now, outcome.states);
  }

  private afterSharedCredits(key: KeyRecord, now: number, outcome: RateLimitOutcome, spent: CreditOutcome): VerifyResult {
    if (!outcome.allowed) {
      const r = this.describe(key, 'RATE_LIMITED');
      r.ratelimits = outcome.states;
      return r;
    }
    // The shared balance is the truth; the cached record keeps the latest this node has seen.
    const credits = key.credits!;
    const refilled = spent.refilledAt !== credits.refilledAt;
    credits.remaining = spent.remaining;
    credits.refilledAt = spent.refilledAt;
    // Like the local path: a refused spend is not a use, but a refill it caused is written.
    if (spent.enough || refilled)
      this.deps.usage.record(key.id, now, { remaining: spent.remaining, refilledAt: spent.refilledAt, version: key.version });
    const r = this.describe(key, spent.enough ? 'VALID' : 'USAGE_EXCEEDED');
    if (outcome.states.length > 0) r.ratelimits = outcome.states;
    return r;
  }

  private spend(key: KeyRecord, input: VerifyInput, now: number, states: RateLimitState[] | undefined): VerifyResult {
    const credits = key.credits;
    const cost = input.cost ?? 1;
    let spent = false;
    if (credits !== null) {
      const refill = credits.refill;
      if (refill !== null && now >= (credits.refilledAt ?? key.createdAt) + refill.intervalSeconds * 1000) {
        credits.remaining = refill.amount;
        credits.refilledAt = now;
        spent = true;
      }
      if (cost > credits.remaining) {
        if (spent)
          this.deps.usage.record(key.id, now, { remaining: credits.remaining, refilledAt: credits.refilledAt, version: key.version });
        const r = this.describe(key, 'USAGE_EXCEEDED');
        if (states !== undefined) r.ratelimits = states;
        return r;
      }
      if (cost > 0) {
        credits.remaining -= cost;
        spent = true;
      }
    }
    this.deps.usage.record(
      key.id,
      now,
      spent && credits !== null ? { remaining: credits.remaining, refilledAt: credits.refilledAt, version: key.version } : undefined,
    );
    const r = this.describe(key, 'VALID');
    if (states !== undefined) r.ratelimits = states;
    return r;
  }

  private describe(key: KeyRecord, code: VerifyCode): VerifyResult {
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
}
