/** The alphabet of keys and ids: digits, then upper case, then lower case. */
export const BASE62_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Encodes a non-negative integer in base62, left-padded with `0` to `width` characters. */
export function encodeBase62Int(value: number, width: number): string {
  let out = '';
  let n = value;
  while (n > 0) {
    out = BASE62_ALPHABET[n % 62]! + out;
    n = Math.floor(n / 62);
  }
  return out.padStart(width, '0');
}
