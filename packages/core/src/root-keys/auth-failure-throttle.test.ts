import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { AuthFailureThrottle, sourceNetwork } from './auth-failure-throttle.js';

describe('sourceNetwork', () => {
  it('is the /32 of an IPv4 address and the /64 of an IPv6 one', () => {
    expect(sourceNetwork('203.0.113.7')).toBe('203.0.113.7/32');
    expect(sourceNetwork('::ffff:203.0.113.7')).toBe('203.0.113.7/32');
    expect(sourceNetwork('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(sourceNetwork('2001:db8:1:2::1')).toBe(sourceNetwork('2001:db8:1:2:ffff::9'));
    expect(sourceNetwork('2001:db8:1:3::1')).not.toBe(sourceNetwork('2001:db8:1:2::1'));
  });
});

describe('AuthFailureThrottle', () => {
  it('throttles one IPv6 /64 as a whole (an attacker rotating addresses in it), not its neighbours', () => {
    const clock = new ManualClock();
    const t = new AuthFailureThrottle(clock, { limit: 3, windowMs: 60_000 });
    for (const host of ['1', '2', '3']) t.failed(`2001:db8:0:1::${host}`);
    expect(t.retryAfter('2001:db8:0:1::ffff')).toBe(60);
    expect(t.retryAfter('2001:db8:0:2::1')).toBeUndefined();
    clock.advance(30_000);
    expect(t.retryAfter('2001:db8:0:1::1')).toBe(30);
    clock.advance(30_000);
    expect(t.retryAfter('2001:db8:0:1::1')).toBeUndefined();
  });

  it('audits the 1st, 10th, 100th… failure of a window, and at most so many entries per window overall', () => {
    const clock = new ManualClock();
    const t = new AuthFailureThrottle(clock, { limit: 0, windowMs: 60_000, maxAuditsPerWindow: 4 });
    const audited = Array.from({ length: 1000 }, () => t.failed('198.51.100.1'))
      .filter((f) => f.audit)
      .map((f) => f.failures);
    expect(audited).toEqual([1, 10, 100, 1000]);
    expect(t.failed('198.51.100.2').audit).toBe(false); // the cap for this window is spent
    clock.advance(60_000);
    expect(t.failed('198.51.100.2').audit).toBe(true);
  });

  it('forgets the oldest network past its memory bound', () => {
    const t = new AuthFailureThrottle(new ManualClock(), { limit: 1, windowMs: 60_000, maxNetworks: 2 });
    for (const ip of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) t.failed(ip);
    expect(t.retryAfter('192.0.2.1')).toBeUndefined();
    expect(t.retryAfter('192.0.2.3')).toBe(60);
  });
});
