import type { Clock } from '../clock.js';
import { TesseraError } from '../errors.js';
import type { Keyring } from '../custody/envelope-keyring.js';
import { spendsCredits } from '../ratelimit/credit-limiter.js';
import type { RateLimiter } from '../ratelimit/rate-limiter.js';
import { parseScopeExpression, satisfies, type ScopeExpression } from '../scopes/scope-expression.js';
import type { KeyRecord } from '../store/records.js';
import type { KeyRevoked } from '../invalidation-bus.js';
import type { KeyRepos } from './key-repos.js';
import { compileKey, type CachedKey } from './cached-key.js';
import { afterLimits, afterSharedCredits, spendCredits } from './credit-spend.js';
import { isWellFormedKey, MAX_KEY_LENGTH } from '@tessera/api';
import { isNegative, RecordCache } from './record-cache.js';
import type { UsageBatcher } from './usage-batcher.js';
import type { VerificationSink } from './verification-sink.js';
import { keyResult, MALFORMED, NOT_FOUND, type VerifyInput, type VerifyResult } from './verify-result.js';

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
      store: Pick<KeyRepos, 'findKeyByHash' | 'getKey'>;
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
    const key = input.key;
    // The length first: nothing longer than a key is ever hashed.
    if (typeof key !== 'string' || key.length > MAX_KEY_LENGTH) return MALFORMED;
    const now = this.deps.clock.now();
    const digest = this.cache.digest(key);
    const hit = this.cache.get(digest, now);
    // Only well-formed keys are ever cached, positively or negatively (a key is checked before the
    // store is asked), so a hit is one by construction: its shape and checksum need no second check.
    if (hit !== undefined) return isNegative(hit) ? NOT_FOUND : this.check(hit, input, now);
    if (!isWellFormedKey(key)) return MALFORMED;
    this.cache.misses++;
    return this.verifyMiss(input, digest);
  }

  /**
   * A key was revoked, here or on another node: a cached copy becomes the revoked record (what the
   * revocation wrote), so the next verification answers REVOKED without reading the store. False
   * when the key is not cached (then the store answers, as it already holds the revocation).
   */
  applyRevocation(keyId: string, revoked: KeyRevoked): boolean {
    return this.cache.replaceById(keyId, (cached) => ({
      ...cached,
      record: { ...cached.record, revokedAt: revoked.at, revokeReason: revoked.reason, updatedAt: revoked.at },
    }));
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
      cached = compileKey(found, this.deps.usage);
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
    const compiled = compileKey(found, this.deps.usage);
    // A change that raced with this load may have made the record stale: answer, but do not keep it.
    return stale ? compiled : this.cache.set(digest, compiled);
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
    if (key.revokedAt !== null) return keyResult(key, 'REVOKED');
    if (key.expiresAt !== null && key.expiresAt <= now) return keyResult(key, 'EXPIRED');
    if (!key.enabled) return keyResult(key, 'DISABLED');
    if (cached.allowlist !== null && (input.ip === undefined || !cached.allowlist.allows(input.ip))) {
      return keyResult(key, 'IP_NOT_ALLOWED');
    }
    if (input.scopes !== undefined && !satisfies(this.expression(input.scopes), key.scopes)) {
      return keyResult(key, 'INSUFFICIENT_SCOPE');
    }
    const { rateLimiter: limiter, usage } = this.deps;
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
        .then((o) =>
          o.credits === undefined ? afterLimits(usage, key, input, now, o) : afterSharedCredits(usage, key, now, o, o.credits),
        );
    }
    if (cached.limits.length === 0) return spendCredits(usage, key, input, now, undefined);
    const outcome = limiter.consume(cached.limits, now);
    return outcome instanceof Promise
      ? outcome.then((o) => afterLimits(usage, key, input, now, o))
      : afterLimits(usage, key, input, now, outcome);
  }
}
