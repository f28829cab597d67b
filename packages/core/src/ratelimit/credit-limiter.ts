import type { RateLimitCheck, RateLimiter, RateLimitOutcome } from './rate-limiter.js';

/**
 * A rate limiter that can also spend a key's credits in the same atomic step, so that a
 * verification costs one round trip to shared state at most. The Redis implementation keeps
 * the counters of every node in one place; the in-memory path of one node keeps credits on the
 * cached record instead and does not need this.
 */
export interface CreditSpend {
  keyId: string;
  /** The record's version: a management change of credits starts a fresh counter. */
  version: number;
  /** Credits to spend; 0 checks without spending. */
  cost: number;
  /**
   * What this node knows of the balance: it seeds the shared counter when there is none, and is
   * merged into it (a later refill wins, then the lower balance), so spends made while the
   * shared state was unreachable are not forgotten when it returns.
   */
  known: { remaining: number; refilledAt: number | null };
  refill: { amount: number; intervalSeconds: number } | null;
  createdAt: number;
}

export interface CreditOutcome {
  /** Whether the balance covered the cost (credits are spent only then). */
  enough: boolean;
  remaining: number;
  refilledAt: number | null;
}

export interface CreditLimiter extends RateLimiter {
  /**
   * Counts one request against every check and, only if they all allow it, spends the credits.
   * `credits` is absent from the outcome when the shared state could not be reached and the
   * limits were applied locally; the caller then spends credits locally too.
   */
  consumeWithCredits(
    checks: readonly RateLimitCheck[],
    credits: CreditSpend,
    now: number,
  ): Promise<RateLimitOutcome & { credits?: CreditOutcome }>;
}

export function spendsCredits(limiter: RateLimiter): limiter is CreditLimiter {
  return typeof (limiter as Partial<CreditLimiter>).consumeWithCredits === 'function';
}
