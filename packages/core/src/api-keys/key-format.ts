import { crc32 } from 'node:zlib';
import { BASE62_ALPHABET, encodeBase62Int, randomBase62 } from '../base62.js';

/** A keyspace prefix: lower-case, starts with a letter, at most 16 characters, no trailing `_`. */
export const PREFIX_PATTERN = /^[a-z](?:[a-z0-9_]{0,14}[a-z0-9])?$/;

/**
 * A whole key: prefix, `_`, 43 random base62 characters and a 6-character base62 checksum.
 * Checked by this expression before anything decodes it (DESIGN §1.1).
 */
export const KEY_PATTERN = /^([a-z](?:[a-z0-9_]{0,14}[a-z0-9])?)_([0-9A-Za-z]{43})([0-9A-Za-z]{6})$/;

/** The same shape without capture groups, for the verify path's check (cheaper to run). */
const KEY_SHAPE = /^[a-z](?:[a-z0-9_]{0,14}[a-z0-9])?_[0-9A-Za-z]{49}$/;

/** The same shape unanchored, for scanners that look for keys inside text. */
export const KEY_SEARCH_PATTERN = /\b[a-z](?:[a-z0-9_]{0,14}[a-z0-9])?_[0-9A-Za-z]{49}\b/g;

export const RANDOM_LENGTH = 43;
export const CHECKSUM_LENGTH = 6;
export const MAX_KEY_LENGTH = 16 + 1 + RANDOM_LENGTH + CHECKSUM_LENGTH;

/** CRC-32 (IEEE) of `<prefix>_<random>` in base62, left-padded to 6 characters. */
export function keyChecksum(prefixAndRandom: string): string {
  return encodeBase62Int(crc32(prefixAndRandom), CHECKSUM_LENGTH);
}

const CRC_TABLE = new Int32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});

/**
 * CRC-32 (IEEE, the same as zlib's) of the first `end` characters of an ASCII string. A key is
 * ASCII once its pattern matched; reading char codes skips the string-to-bytes copy of the native
 * call, which on the verify path cost more than the checksum itself.
 */
function crc32Ascii(s: string, end: number): number {
  let c = -1;
  for (let i = 0; i < end; i++) c = CRC_TABLE[(c ^ s.charCodeAt(i)) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

const BASE62_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < BASE62_ALPHABET.length; i++) BASE62_VALUE[BASE62_ALPHABET.charCodeAt(i)] = i;

/** Whether the last 6 characters of a pattern-checked key are the checksum of the rest, without building strings. */
function checksumMatches(key: string): boolean {
  const start = key.length - CHECKSUM_LENGTH;
  let value = 0;
  for (let i = start; i < key.length; i++) value = value * 62 + BASE62_VALUE[key.charCodeAt(i)]!;
  // 62^6 > 2^32, so a 6-character value equals the CRC exactly when its encoding does.
  return value === crc32Ascii(key, start);
}

/** A new key for `prefix`: 43 base62 characters carry 256 bits from the OS CSPRNG. */
export function generateKey(prefix: string): string {
  if (!PREFIX_PATTERN.test(prefix)) throw new Error(`invalid key prefix`);
  const body = `${prefix}_${randomBase62(RANDOM_LENGTH)}`;
  return body + keyChecksum(body);
}

export interface ParsedKey {
  prefix: string;
  random: string;
}

/**
 * Whether a key has the exact shape (checked by the regular expression, before anything decodes
 * it) and a matching checksum. The verify path's check: it allocates nothing.
 */
export function isWellFormedKey(key: string): boolean {
  return key.length <= MAX_KEY_LENGTH && KEY_SHAPE.test(key) && checksumMatches(key);
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
