import { describe, expect, it } from 'vitest';
import { MemoryRateLimiter } from './rate-limiter.js';

describe('memory rate limiter', () => {
  const check = (limit: number, windowMs = 1000, name = 'r') => ({ id: `k:${name}`, name, limit, windowMs });

  it('admits exactly the limit per window, then resets on the window boundary', () => {
    const rl = new MemoryRateLimiter();
    const t0 = 10_000;
    const answers = Array.from({ length: 5 }, () => rl.consume([check(3)], t0).allowed);
    expect(answers).toEqual([true, true, true, false, false]);
    expect(rl.consume([check(3)], t0 + 999).states[0]).toMatchObject({ remaining: 0, reset: t0 + 1000 });
    expect(rl.consume([check(3)], t0 + 1000).allowed).toBe(true);
  });

  it('counts against every named limit only when all allow', () => {
    const rl = new MemoryRateLimiter();
    const both = [check(2, 1000, 'a'), check(10, 60_000, 'b')];
    expect(rl.consume(both, 0).allowed).toBe(true);
    expect(rl.consume(both, 0).allowed).toBe(true);
    const third = rl.consume(both, 0);
    expect(third.allowed).toBe(false);
    expect(third.states.map((s) => s.remaining)).toEqual([0, 8]); // the refused request spent nothing
  });
});
