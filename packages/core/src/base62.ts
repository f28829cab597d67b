import { randomBytes } from 'node:crypto';
import { BASE62_ALPHABET } from '@tessera/api';

/**
 * `length` uniformly random base62 characters from the OS CSPRNG. Bytes ≥ 248 are rejected
 * (248 = 4 × 62) so that no character is more likely than another.
 */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    const bytes = randomBytes(length * 2);
    for (let i = 0; i < bytes.length && out.length < length; i++) {
      const b = bytes[i]!;
      if (b < 248) out += BASE62_ALPHABET[b % 62];
    }
  }
  return out;
}
