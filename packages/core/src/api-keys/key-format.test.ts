import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BASE62_ALPHABET, encodeBase62Int } from '../base62.js';
import { generateKey, keyChecksum, keyHint, parseKey, PREFIX_PATTERN } from './key-format.js';

describe('key format (DESIGN §1.1)', () => {
  it('is prefix, 43 base62 random characters and a 6-character base62 CRC-32', () => {
    const key = generateKey('sk_live');
    expect(key).toMatch(/^sk_live_[0-9A-Za-z]{49}$/);
    const body = key.slice(0, -6);
    expect(key.slice(-6)).toBe(encodeBase62Int(crc32(body), 6));
    expect(parseKey(key)).toEqual({ prefix: 'sk_live', random: key.slice(8, 51) });
  });

  it('computes the checksum of a known string', () => {
    // CRC-32 of "sk_test_" + 43 × "A" is fixed; base62 of it, left-padded to 6.
    const body = `sk_test_${'A'.repeat(43)}`;
    const expected = crc32(body);
    let n = 0;
    for (const c of keyChecksum(body)) n = n * 62 + BASE62_ALPHABET.indexOf(c);
    expect(n).toBe(expected);
    expect(keyChecksum(body)).toHaveLength(6);
    expect(encodeBase62Int(0, 6)).toBe('000000');
    expect(encodeBase62Int(61, 2)).toBe('0z');
  });

  it('rejects a changed character, a bad checksum and every wrong shape', () => {
    const key = generateKey('tk');
    const i = 10;
    const changed = key.slice(0, i) + (key[i] === 'a' ? 'b' : 'a') + key.slice(i + 1);
    expect(parseKey(changed)).toBeUndefined();
    expect(parseKey(key.slice(0, -1) + (key.endsWith('0') ? '1' : '0'))).toBeUndefined();
    for (const bad of [
      '',
      'tk_',
      key + 'a',
      key.slice(1),
      key.replace('_', '-'),
      `Tk${key.slice(2)}`,
      `${key.slice(0, 20)}=${key.slice(21)}`,
      `${key} `,
      `${key}\n`,
    ]) {
      expect(parseKey(bad)).toBeUndefined();
    }
  });

  it('accepts only valid prefixes', () => {
    for (const ok of ['a', 'sk_live', 'abcdefghijklmnop', 'a1_b2']) expect(PREFIX_PATTERN.test(ok)).toBe(true);
    for (const bad of ['', '1a', 'sk_', 'Sk', 'abcdefghijklmnopq', 'a-b', 'a b']) expect(PREFIX_PATTERN.test(bad)).toBe(false);
    expect(() => generateKey('sk_')).toThrow();
  });

  it('draws every base62 character about equally often', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 2000; i++) for (const c of generateKey('x').slice(2, 45)) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(62);
    const expected = (2000 * 43) / 62;
    for (const n of counts.values()) expect(Math.abs(n - expected) / expected).toBeLessThan(0.15);
  });

  it('keeps a display hint of prefix and first/last four characters', () => {
    const key = generateKey('sk_live');
    expect(keyHint(key)).toBe(`sk_live_${key.slice(8, 12)}…${key.slice(-4)}`);
  });
});
