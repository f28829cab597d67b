import { crc32 } from 'node:zlib';
import { encodeBase62Int, parseKey } from '@tessera/api';
import { describe, expect, it } from 'vitest';
import { generateKey } from './key-format.js';

// The format itself (checksum, parsing, well-formedness) is tested in @tessera/api.
describe('generateKey (docs/api-keys.md)', () => {
  it('is prefix, 43 base62 random characters and a 6-character base62 CRC-32', () => {
    const key = generateKey('sk_live');
    expect(key).toMatch(/^sk_live_[0-9A-Za-z]{49}$/);
    const body = key.slice(0, -6);
    expect(key.slice(-6)).toBe(encodeBase62Int(crc32(body), 6));
    expect(parseKey(key)).toEqual({ prefix: 'sk_live', random: key.slice(8, 51) });
  });

  it('refuses an invalid prefix', () => {
    expect(() => generateKey('sk_')).toThrow();
    expect(() => generateKey('Sk')).toThrow();
  });

  it('draws every base62 character about equally often', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 2000; i++) for (const c of generateKey('x').slice(2, 45)) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(62);
    const expected = (2000 * 43) / 62;
    for (const n of counts.values()) expect(Math.abs(n - expected) / expected).toBeLessThan(0.15);
  });
});
