import type { CreditOutcome } from '../ratelimit/credit-limiter.js';
import type { RateLimitOutcome, RateLimitState } from '../ratelimit/rate-limiter.js';
import type { KeyRecord } from '../store/records.js';
import type { UsageBatcher } from './usage-batcher.js';
import { keyResult, type VerifyInput, type VerifyResult } from './verify-result.js';

/**
 * The last steps of a verification that passed every check of the key: rate limits, then
 * credits, and the use handed to the usage batch. Plain functions on the hot path: no await.
 */

/** After the rate limits: RATE_LIMITED, or on to the credits. */
export function afterLimits(usage: UsageBatcher, key: KeyRecord, input: VerifyInput, now: number, outcome: RateLimitOutcome): VerifyResult {
  if (!outcome.allowed) {
    const r = keyResult(key, 'RATE_LIMITED');
    r.ratelimits = outcome.states;
    return r;
  }
  return spendCredits(usage, key, input, now, outcome.states);
}

/** After limits and credits were taken together from a shared limiter, whose balance is the truth. */
export function afterSharedCredits(
  usage: UsageBatcher,
  key: KeyRecord,
  now: number,
  outcome: RateLimitOutcome,
  spent: CreditOutcome,
): VerifyResult {
  if (!outcome.allowed) {
    const r = keyResult(key, 'RATE_LIMITED');
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
    usage.record(key.id, now, { remaining: spent.remaining, refilledAt: spent.refilledAt, version: key.version });
  const r = keyResult(key, spent.enough ? 'VALID' : 'USAGE_EXCEEDED');
  if (outcome.states.length > 0) r.ratelimits = outcome.states;
  return r;
}

/** Spends the key's credits on the cached record (refilled first when due), and records the use. */
export function spendCredits(
  usage: UsageBatcher,
  key: KeyRecord,
  input: VerifyInput,
  now: number,
  states: RateLimitState[] | undefined,
): VerifyResult {
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
      if (spent) usage.record(key.id, now, { remaining: credits.remaining, refilledAt: credits.refilledAt, version: key.version });
      const r = keyResult(key, 'USAGE_EXCEEDED');
      if (states !== undefined) r.ratelimits = states;
      return r;
    }
    if (cost > 0) {
      credits.remaining -= cost;
      spent = true;
    }
  }
  usage.record(
    key.id,
    now,
    spent && credits !== null ? { remaining: credits.remaining, refilledAt: credits.refilledAt, version: key.version } : undefined,
  );
  const r = keyResult(key, 'VALID');
  if (states !== undefined) r.ratelimits = states;
  return r;
}
