import { BoundedCache } from '../verify/bounded-cache.js';

/**
 * Where a resource server remembers the DPoP proofs it accepted, so a proof is accepted once.
 * Replicas of one API behind a load balancer must share one, or a proof replayed to another
 * replica passes there.
 */
export interface DpopReplayStore {
  /** Records `key` until `expiresAt` (ms since the epoch); false when it is recorded already: a replay. */
  remember(key: string, expiresAt: number, now: number): Promise<boolean>;
}

/** The default: proofs remembered in this process only, at most `maxEntries` of them. */
export class MemoryDpopReplayStore implements DpopReplayStore {
  private readonly seen: BoundedCache<number>;

  constructor(maxEntries = 100_000) {
    this.seen = new BoundedCache(maxEntries);
  }

  async remember(key: string, expiresAt: number, now: number): Promise<boolean> {
    const until = this.seen.get(key);
    if (until !== undefined && until > now) return false;
    this.seen.set(key, expiresAt);
    return true;
  }
}

/** The part of an ioredis client the Redis store uses (`SET key value PX ms NX`). */
export interface RedisSetNx {
  set(key: string, value: string, px: 'PX', milliseconds: number, nx: 'NX'): Promise<'OK' | null>;
}

/**
 * Proofs remembered in Redis, shared by every replica: one atomic `SET … PX … NX` per proof, so two
 * replicas handed the same proof at the same moment cannot both accept it. Pass an ioredis client
 * (`new Redis(url)`); entries expire on their own.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * const verifier = new AccessTokenVerifier({ issuer, algorithms: ['EdDSA'], dpopReplayStore: new RedisDpopReplayStore(new Redis(url)) });
 * ```
 */
export class RedisDpopReplayStore implements DpopReplayStore {
  private readonly prefix: string;

  constructor(
    private readonly redis: RedisSetNx,
    options: { prefix?: string | undefined } = {},
  ) {
    if (redis === null || typeof redis !== 'object' || typeof redis.set !== 'function')
      throw new TypeError('RedisDpopReplayStore needs an ioredis client');
    this.prefix = options.prefix ?? 'tessera:dpop:';
  }

  async remember(key: string, expiresAt: number, now: number): Promise<boolean> {
    const ms = Math.max(1, Math.ceil(expiresAt - now));
    return (await this.redis.set(this.prefix + key, '1', 'PX', ms, 'NX')) === 'OK';
  }
}
