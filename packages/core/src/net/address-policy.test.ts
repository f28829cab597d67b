import { describe, expect, it } from 'vitest';
import { addressPolicy, addressRange, parseNetwork } from './address-policy.js';

describe('addressRange', () => {
  it.each([
    ['93.184.215.14', 'public'],
    ['2606:4700::1111', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.1.2.3', 'loopback'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.0.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['fe80::1', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['fc00::1', 'uniqueLocal'],
    ['fd12:3456::1', 'uniqueLocal'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'linkLocal'],
    ['::ffff:0:10.0.0.1', 'private'], // RFC 6145
    ['64:ff9b::a9fe:a9fe', 'linkLocal'], // NAT64 of 169.254.169.254
    ['64:ff9b::5db8:d70e', 'public'], // NAT64 of 93.184.215.14
    ['64:ff9b:1::a00:1', 'rfc6052'], // local-use NAT64: not judged public
    ['::127.0.0.1', 'reserved'], // IPv4-compatible, deprecated
    ['::8.8.8.8', 'reserved'],
    ['2002:7f00:1::', '6to4'],
    ['2001::1', 'teredo'],
    ['192.0.2.1', 'reserved'],
    ['not an address', 'invalid'],
    ['', 'invalid'],
  ])('%s is %s', (address, range) => {
    expect(addressRange(address)).toBe(range);
  });
});

describe('addressPolicy', () => {
  it('allows only public addresses by default', () => {
    const allows = addressPolicy(false);
    expect(['93.184.215.14', '2606:4700::1111'].map(allows)).toEqual([true, true]);
    expect(['127.0.0.1', '::1', '10.1.2.3', '169.254.169.254', '::ffff:10.1.2.3', 'nonsense'].map(allows)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it('allows every unicast address when told, never unspecified, multicast or broadcast', () => {
    const allows = addressPolicy(true);
    expect(['127.0.0.1', '::1', '10.1.2.3', '169.254.169.254'].map(allows)).toEqual([true, true, true, true]);
    expect(['0.0.0.0', '::', '224.0.0.1', 'ff02::1', '255.255.255.255'].map(allows)).toEqual([false, false, false, false, false]);
  });

  it('allows the listed networks only, IPv4-mapped forms judged as IPv4', () => {
    const allows = addressPolicy(['10.20.0.0/16', 'fd00:1::/64', '127.0.0.2', '::ffff:192.168.7.0/120']);
    expect(['10.20.3.4', '::ffff:10.20.3.4', 'fd00:1::5', '127.0.0.2', '192.168.7.9', '93.184.215.14'].map(allows)).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(['10.21.0.1', 'fd00:2::5', '127.0.0.1', '192.168.8.1', '224.0.0.1'].map(allows)).toEqual([false, false, false, false, false]);
  });

  it('refuses what is not a network', () => {
    expect(() => parseNetwork('10.0.0.0/33')).toThrow('not an address or CIDR');
    expect(() => parseNetwork('intranet')).toThrow('not an address or CIDR');
  });
});
