import { describe, expect, it } from 'vitest';
import { IpAllowlist, parseCidr } from './ip-allowlist.js';

describe('IP allowlists', () => {
  it('matches IPv4 and IPv6 CIDRs, and IPv4-mapped IPv6', () => {
    const list = new IpAllowlist(['10.0.0.0/8', '192.0.2.7', '2001:db8::/32']);
    expect(list.allows('10.255.0.1')).toBe(true);
    expect(list.allows('11.0.0.1')).toBe(false);
    expect(list.allows('192.0.2.7')).toBe(true);
    expect(list.allows('192.0.2.8')).toBe(false);
    expect(list.allows('::ffff:10.1.1.1')).toBe(true);
    expect(list.allows('2001:db8:1::5')).toBe(true);
    expect(list.allows('2001:db9::1')).toBe(false);
    expect(list.allows('not an ip')).toBe(false);
  });

  it('parses CIDRs strictly', () => {
    expect(parseCidr('10.0.0.0/8')).toEqual({ address: '10.0.0.0', prefix: 8, family: 'ipv4' });
    expect(parseCidr('::1')).toEqual({ address: '::1', prefix: 128, family: 'ipv6' });
    for (const bad of ['10.0.0.0/33', '10.0.0/8', '::/129', '10.0.0.0/', '10.0.0.0/-1', 'x/8', '10.0.0.0/08a', ''])
      expect(parseCidr(bad), bad).toBeUndefined();
    expect(() => new IpAllowlist(['300.0.0.0/8'])).toThrow();
  });
});
