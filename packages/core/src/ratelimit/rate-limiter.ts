/**
 * Named rate limits. One node keeps counters in memory; the Redis implementation keeps the
 * same interface so every node shares them. Fixed windows: a window of `windowMs` starts at a
 * multiple of `windowMs`, so every node agrees on the window without coordination.
 */
export interface RateLimitCheck {
  /** Counter identity, e.g. `key_…:requests` or an owner-wide identity. */
  readonly id: string;
  readonly name: string;
  readonly limit: number;
  readonly windowMs: number;
}

export interface RateLimitState {
  name: string;
  limit: number;
  remaining: number;
  /** Epoch ms when the current window ends. */
  reset: number;
}

export interface RateLimitOutcome {
  allowed: boolean;
  states: RateLimitState[];
}

export interface RateLimiter {
  /** Counts one request against every check, but only if all of them still allow it. */
  consume(checks: readonly RateLimitCheck[], now: number): RateLimitOutcome | Promise<RateLimitOutcome>;
}

interface Window {
  start: number;
  end: number;
  count: number;
}

export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, Window>();
  private sweepAt = 0;

  consume(checks: readonly RateLimitCheck[], now: number): RateLimitOutcome {
    if (now >= this.sweepAt) this.sweep(now);
    const current: Window[] = [];
    let allowed = true;
    for (const check of checks) {
      const start = now - (now % check.windowMs);
      let w = this.windows.get(check.id);
      if (w === undefined || w.start !== start) {
        w = { start, end: start + check.windowMs, count: 0 };
        this.windows.set(check.id, w);
      }
      current.push(w);
      if (w.count >= check.limit) allowed = false;
    }
    const states: RateLimitState[] = [];
    for (let i = 0; i < checks.length; i++) {
      const check = checks[i]!;
      const w = current[i]!;
      if (allowed) w.count++;
      states.push({
        name: check.name,
        limit: check.limit,
        remaining: Math.max(0, check.limit - w.count),
        reset: w.end,
      });
    }
    return { allowed, states };
  }

  /** Drops windows that have ended, so memory follows the active keys only. */
  private sweep(now: number): void {
    this.sweepAt = now + 10_000;
    for (const [id, w] of this.windows) if (w.end <= now) this.windows.delete(id);
  }
}
