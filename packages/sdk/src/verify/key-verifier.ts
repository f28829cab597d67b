import { isWellFormedKey } from '@tessera/api';
import type { OperationResult } from '../client/operations.js';
import type { HttpClient } from '../client/http-client.js';
import { positive } from '../client/http-client.js';
import type { Result } from '../client/tessera-error.js';
import { BoundedCache } from './bounded-cache.js';

/** What Tessera says of a key: `{ valid: true, keyId, ownerId, scopes, … }` or `{ valid: false, code }`. */
export type VerifyKeyResult = OperationResult<'POST /v1/keys/verify'>;

/** The checks a verification asks of the server. */
export interface VerifyKeyOptions {
  /** A scope, or an expression such as `orders:read and (orders:write or admin)`. */
  scopes?: string | undefined;
  /**
   * Only a key of this keyspace passes (`ks_…`); any other answers `NOT_FOUND`, like an unknown key.
   * Pin production routes to the production keyspace so a test key cannot pass them.
   */
  keyspaceId?: string | undefined;
  /** Only a key of this environment passes; any other, or none, answers `NOT_FOUND`. */
  environment?: string | undefined;
  /** The address of the end client that presented the key: allowlists and usage records use it. */
  ip?: string | undefined;
  /** Credits to spend (default 1); `0` checks without spending. */
  cost?: number | undefined;
}

export interface VerifyCacheOptions {
  /** How long an answer is served without asking again. Default 5000 ms. */
  ttlMs?: number | undefined;
  /**
   * How long after that it is still served while one request in the background asks again
   * (stale-while-revalidate). Default 25000 ms. `ttlMs + staleMs` bounds how long a revoked key
   * can still pass when the server does not push events.
   */
  staleMs?: number | undefined;
  /** Most answers kept for keys that exist. Default 10000. */
  maxEntries?: number | undefined;
  /** Most answers kept for keys that do not exist (guessed keys cannot push out real ones). Default 1000. */
  maxNegativeEntries?: number | undefined;
}

interface Entry {
  answer: Promise<Result<VerifyKeyResult>>;
  keyId: string | undefined;
  expiresAt: number;
  freshUntil: number;
  staleUntil: number;
  revalidating: boolean;
}

const MALFORMED: Promise<Result<VerifyKeyResult>> = Promise.resolve(
  Object.freeze({ result: Object.freeze({ valid: false, code: 'MALFORMED' }) }),
);

/** Answers that stay true until an administrator changes the key, and so may be kept briefly. */
const CACHEABLE_DENIALS = new Set(['NOT_FOUND', 'REVOKED', 'EXPIRED', 'DISABLED', 'INSUFFICIENT_SCOPE', 'IP_NOT_ALLOWED']);

/**
 * `verifyKey` with a short local cache. Only answers that do not spend anything are kept: a key
 * with rate limits or credits goes to the server every time, so limits and credits stay exact.
 * Malformed keys and bad checksums are refused without a network call.
 */
export class KeyVerifier {
  private readonly positive: BoundedCache<Entry>;
  private readonly negative: BoundedCache<Entry>;
  private readonly ttlMs: number;
  private readonly staleMs: number;
  private readonly enabled: boolean;

  constructor(
    private readonly http: HttpClient,
    cache: VerifyCacheOptions | false = {},
    private readonly now: () => number = Date.now,
  ) {
    this.enabled = cache !== false;
    const o = cache === false ? {} : cache;
    this.ttlMs = positive(o.ttlMs, 5_000, 'cache.ttlMs');
    this.staleMs = o.staleMs === 0 ? 0 : positive(o.staleMs, 25_000, 'cache.staleMs');
    this.positive = new BoundedCache(Math.floor(positive(o.maxEntries, 10_000, 'cache.maxEntries')));
    this.negative = new BoundedCache(Math.floor(positive(o.maxNegativeEntries, 1_000, 'cache.maxNegativeEntries')));
  }

  verify(key: string, options?: VerifyKeyOptions): Promise<Result<VerifyKeyResult>> {
    if (!isWellFormedKey(key)) return MALFORMED;
    if (!this.enabled) return this.ask(key, options);
    // Answers are kept per key and per everything that changes them: a pinned check never reads an unpinned answer.
    const id =
      options === undefined ||
      (options.scopes === undefined && options.ip === undefined && options.keyspaceId === undefined && options.environment === undefined)
        ? key
        : `${key}\n${options.scopes ?? ''}\n${options.ip ?? ''}\n${options.keyspaceId ?? ''}\n${options.environment ?? ''}`;
    const entry = this.positive.get(id) ?? this.negative.get(id);
    if (entry !== undefined) {
      const now = this.now();
      if (now < entry.freshUntil && now < entry.expiresAt) return entry.answer;
      if (now < entry.staleUntil && now < entry.expiresAt) {
        if (!entry.revalidating) {
          entry.revalidating = true;
          void this.fetchAndKeep(id, key, options).finally(() => (entry.revalidating = false));
        }
        return entry.answer;
      }
    }
    return this.fetchAndKeep(id, key, options);
  }

  /** Forgets what is known of one key (by its id), or of every key. */
  invalidate(keyId?: string): void {
    if (keyId === undefined) {
      this.positive.clear();
      this.negative.clear();
      return;
    }
    const drop = (e: Entry) => e.keyId === keyId;
    this.positive.sweep(drop);
    this.negative.sweep(drop);
  }

  private ask(key: string, options: VerifyKeyOptions | undefined): Promise<Result<VerifyKeyResult>> {
    return this.http.request<VerifyKeyResult>('POST', '/v1/keys/verify', {
      body: {
        key,
        scopes: options?.scopes,
        keyspaceId: options?.keyspaceId,
        environment: options?.environment,
        ip: options?.ip,
        cost: options?.cost,
      },
      idempotencyKey: false, // a check, not a change: the verify route takes no key
    });
  }

  private async fetchAndKeep(id: string, key: string, options: VerifyKeyOptions | undefined): Promise<Result<VerifyKeyResult>> {
    const answer = await this.ask(key, options);
    const r = answer.result;
    if (r === undefined) return answer; // an outage: a stale entry, if any, stays until it runs out
    const metered = (r.ratelimits !== undefined && r.ratelimits.length > 0) || (r.credits !== undefined && r.credits !== null);
    if ((r.valid && !metered) || (!r.valid && CACHEABLE_DENIALS.has(r.code))) {
      const now = this.now();
      const frozen = deepFreeze({ result: r });
      const entry: Entry = {
        answer: Promise.resolve(frozen),
        keyId: r.keyId,
        expiresAt: r.valid && typeof r.expiresAt === 'string' ? Date.parse(r.expiresAt) : Infinity,
        freshUntil: now + this.ttlMs,
        staleUntil: now + this.ttlMs + this.staleMs,
        revalidating: false,
      };
      (r.keyId === undefined ? this.negative : this.positive).set(id, entry);
      (r.keyId === undefined ? this.positive : this.negative).delete(id);
      return frozen;
    }
    // A metered key or a limit reached: nothing is kept, and whatever was kept is out of date.
    this.positive.delete(id);
    this.negative.delete(id);
    return answer;
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
