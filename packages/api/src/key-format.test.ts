import { randomInt } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BASE62_ALPHABET, encodeBase62Int } from './base62.js';
import { isWellFormedKey, KEY_PATTERN, keyChecksum, keyHint, MAX_KEY_LENGTH, parseKey, PREFIX_PATTERN } from './key-format.js';

/** A key as the server mints one (core's `generateKey`), from a test's own randomness. */
function makeKey(prefix: string): string {
  let random = '';
  for (let i = 0; i < 43; i++) random += BASE62_ALPHABET[randomInt(62)];
  return `${prefix}_${random}${keyChecksum(`${prefix}_${random}`)}`;
}

describe('key format (docs/api-keys.md)', () => {
  it('checksums with CRC-32 in base62, as zlib computes it, for any text', () => {
    // CRC-32 of "sk_test_" + 43 × "A" is fixed; base62 of it, left-padded to 6.
    const body = `sk_test_${'A'.repeat(43)}`;
    let n = 0;
    for (const c of keyChecksum(body)) n = n * 62 + BASE62_ALPHABET.indexOf(c);
    expect(n).toBe(crc32(body));
    expect(keyChecksum(body)).toHaveLength(6);
    for (const text of ['', 'é', '€uro', '\u{1F511} key', 'a\uD800b', 'x'.repeat(300)])
      expect(keyChecksum(text)).toBe(encodeBase62Int(crc32(text), 6));
    expect(encodeBase62Int(0, 6)).toBe('000000');
    expect(encodeBase62Int(61, 2)).toBe('0z');
  });

  it('parses a key into prefix and random part', () => {
    const key = makeKey('sk_live');
    expect(parseKey(key)).toEqual({ prefix: 'sk_live', random: key.slice(8, 51) });
    expect(isWellFormedKey(key)).toBe(true);
  });

  it('rejects a changed character, a bad checksum and every wrong shape', () => {
    const key = makeKey('tk');
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
    for (const notAString of [42, null, undefined, {}, [key]]) expect(isWellFormedKey(notAString)).toBe(false);
  });

  it('accepts only valid prefixes', () => {
    for (const ok of ['a', 'sk_live', 'abcdefghijklmnop', 'a1_b2']) expect(PREFIX_PATTERN.test(ok)).toBe(true);
    for (const bad of ['', '1a', 'sk_', 'Sk', 'abcdefghijklmnopq', 'a-b', 'a b']) expect(PREFIX_PATTERN.test(bad)).toBe(false);
  });

  it('answers as the pattern and the checksum do, for valid keys and a hundred thousand near misses', () => {
    // The reference: the documented pattern, then the checksum as `keyChecksum` writes it.
    const reference = (k: string) => k.length <= MAX_KEY_LENGTH && KEY_PATTERN.test(k) && keyChecksum(k.slice(0, -6)) === k.slice(-6);
    const alphabet = `${BASE62_ALPHABET}_-. é\u0000\u{1F511}`;
    const pick = (s: string) => s[Math.floor(Math.random() * s.length)]!;
    let valid = 0;
    for (let i = 0; i < 100_000; i++) {
      const prefix = ['a', 'sk', 'sk_live', 'abcdefghijklmnop', 'a1_b2', 'x9'][i % 6]!;
      let k = makeKey(prefix);
      const at = Math.floor(Math.random() * (k.length + 1));
      switch (i % 5) {
        case 0: // unchanged
          break;
        case 1: // one character replaced
          k = k.slice(0, at) + pick(alphabet) + k.slice(at + 1);
          break;
        case 2: // one character inserted
          k = k.slice(0, at) + pick(alphabet) + k.slice(at);
          break;
        case 3: // one character removed
          k = k.slice(0, at) + k.slice(at + 1);
          break;
        case 4: // a longer or odd prefix, the checksum made to match
          k = `${pick('aZ1_')}${'b_9'.slice(0, at % 4)}${pick('az_9')}_${k.slice(-49, -6)}`;
          k += i % 2 === 0 ? keyChecksum(k) : k.slice(-6);
          break;
      }
      const expected = reference(k);
      if (expected) valid++;
      if (isWellFormedKey(k) !== expected) expect({ key: k, wellFormed: isWellFormedKey(k) }).toEqual({ key: k, wellFormed: expected });
    }
    expect(valid).toBeGreaterThan(20_000);
    for (const bad of ['', '_', 'a_', `A_${'a'.repeat(49)}`, `${'a'.repeat(17)}_${'a'.repeat(49)}`])
      expect(isWellFormedKey(bad)).toBe(false);
  });

  it('keeps a display hint of prefix and first/last four characters', () => {
    const key = makeKey('sk_live');
    expect(keyHint(key)).toBe(`sk_live_${key.slice(8, 12)}…${key.slice(-4)}`);
  });
});
