import { BASE62_ALPHABET, encodeBase62Int } from './base62.js';

/**
 * The shape of a Tessera key, `<prefix>_<43 base62><6 base62 checksum>`, the checksum being
 * CRC-32 (IEEE) of everything before it in base62 (docs/api-keys.md). The server mints and
 * checks keys with it, and the SDK refuses a mistyped key with it before any network call.
 */

/** A keyspace prefix: lower-case, starts with a letter, at most 16 characters, no trailing `_`. */
export const PREFIX_PATTERN = /^[a-z](?:[a-z0-9_]{0,14}[a-z0-9])?$/;

/**
 * A whole key: prefix, `_`, 43 random base62 characters and a 6-character base62 checksum.
 * Checked by this expression before anything decodes it (docs/api-keys.md).
 */
export const KEY_PATTERN = /^([a-z](?:[a-z0-9_]{0,14}[a-z0-9])?)_([0-9A-Za-z]{43})([0-9A-Za-z]{6})$/;

/** The same shape unanchored, for scanners that look for keys inside text and for scrubbing messages. */
export const KEY_SEARCH_PATTERN = /\b[a-z](?:[a-z0-9_]{0,14}[a-z0-9])?_[0-9A-Za-z]{49}\b/g;

export const RANDOM_LENGTH = 43;
export const CHECKSUM_LENGTH = 6;
export const MAX_KEY_LENGTH = 16 + 1 + RANDOM_LENGTH + CHECKSUM_LENGTH;

/** CRC-32 (IEEE, the same as zlib's) by table, one byte at a time. */
const CRC_TABLE = new Int32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});
const crcStep = (crc: number, byte: number): number => CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);

/** CRC-32 of a string's UTF-8 bytes (a lone surrogate counts as U+FFFD, as TextEncoder has it), unsigned. */
function crc32(text: string): number {
  let c = -1;
  for (const ch of text) {
    let cp = ch.codePointAt(0)!;
    if (cp < 0x80) {
      c = crcStep(c, cp);
      continue;
    }
    if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
    const n = cp < 0x800 ? 1 : cp < 0x10000 ? 2 : 3;
    c = crcStep(c, ((0xf0_e0_c0 >>> ((n - 1) * 8)) & 0xff) | (cp >>> (6 * n)));
    for (let k = n - 1; k >= 0; k--) c = crcStep(c, 0x80 | ((cp >>> (6 * k)) & 0x3f));
  }
  return (c ^ -1) >>> 0;
}

/** CRC-32 (IEEE) of `<prefix>_<random>` in base62, left-padded to 6 characters. */
export function keyChecksum(prefixAndRandom: string): string {
  return encodeBase62Int(crc32(prefixAndRandom), CHECKSUM_LENGTH);
}

const BASE62_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < BASE62_ALPHABET.length; i++) BASE62_VALUE[BASE62_ALPHABET.charCodeAt(i)] = i;

export interface ParsedKey {
  prefix: string;
  random: string;
}

/** Character classes of the key's alphabet, by char code (ASCII only). */
const LOWER = 1;
const DIGIT = 2;
const UNDERSCORE = 4;
const BASE62 = 8;
const CHAR_CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  CHAR_CLASS[c] =
    (/[a-z]/.test(ch) ? LOWER : 0) | (/[0-9]/.test(ch) ? DIGIT : 0) | (ch === '_' ? UNDERSCORE : 0) | (/[0-9A-Za-z]/.test(ch) ? BASE62 : 0);
}
const classOf = (code: number): number => (code < 128 ? CHAR_CLASS[code]! : 0);
const BODY_LENGTH = RANDOM_LENGTH + CHECKSUM_LENGTH;

/**
 * Whether `key` is a string with the exact shape of KEY_PATTERN and a matching checksum: no
 * network, no secrets. The verify path's check, in one pass over the characters that also
 * computes the CRC-32: it allocates nothing. Base62 has no `_`, so the separator sits exactly 49
 * characters from the end and the prefix is everything before it (1 to 16 characters: a letter
 * first, no `_` last).
 */
export function isWellFormedKey(key: unknown): key is string {
  if (typeof key !== 'string') return false;
  const length = key.length;
  if (length > MAX_KEY_LENGTH || length < BODY_LENGTH + 2) return false;
  const separator = length - BODY_LENGTH - 1;
  if (key.charCodeAt(separator) !== 95 /* _ */) return false;
  let code = key.charCodeAt(0);
  if ((classOf(code) & LOWER) === 0) return false;
  let c = crcStep(-1, code);
  for (let i = 1; i < separator; i++) {
    code = key.charCodeAt(i);
    if ((classOf(code) & (LOWER | DIGIT | UNDERSCORE)) === 0) return false;
    c = crcStep(c, code);
  }
  if (separator > 1 && code === 95) return false;
  c = crcStep(c, 95);
  const checksumAt = length - CHECKSUM_LENGTH;
  for (let i = separator + 1; i < checksumAt; i++) {
    code = key.charCodeAt(i);
    if ((classOf(code) & BASE62) === 0) return false;
    c = crcStep(c, code);
  }
  let value = 0;
  for (let i = checksumAt; i < length; i++) {
    code = key.charCodeAt(i);
    if ((classOf(code) & BASE62) === 0) return false;
    value = value * 62 + BASE62_VALUE[code]!;
  }
  // 62^6 > 2^32, so a 6-character value equals the CRC exactly when its encoding does.
  return value === (c ^ -1) >>> 0;
}

/** Parses a key strictly; `undefined` when its shape or its checksum is wrong. */
export function parseKey(key: string): ParsedKey | undefined {
  if (!isWellFormedKey(key)) return undefined;
  // The pattern fixed the layout: <prefix>_<43 random><6 checksum>. Slicing spares the match array.
  const end = key.length - CHECKSUM_LENGTH;
  return { prefix: key.slice(0, end - RANDOM_LENGTH - 1), random: key.slice(end - RANDOM_LENGTH, end) };
}

/** The display hint kept beside the hash: prefix plus the first and last four characters. */
export function keyHint(key: string): string {
  const body = key.slice(key.lastIndexOf('_') + 1);
  return `${key.slice(0, key.lastIndexOf('_') + 1)}${body.slice(0, 4)}…${body.slice(-4)}`;
}

/** A key with everything but the hint hidden, for reports. */
export const maskKey = keyHint;
