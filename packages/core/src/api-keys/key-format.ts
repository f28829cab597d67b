import { crc32 } from 'node:zlib';
import { encodeBase62Int, randomBase62 } from '../base62.js';

/** A keyspace prefix: lower-case, starts with a letter, at most 16 characters, no trailing `_`. */
export const PREFIX_PATTERN = /^[a-z](?:[a-z0-9_]{0,14}[a-z0-9])?$/;

/**
 * A whole key: prefix, `_`, 43 random base62 characters and a 6-character base62 checksum.
 * Checked by this expression before anything decodes it (DESIGN §1.1).
 */
export const KEY_PATTERN = /^([a-z](?:[a-z0-9_]{0,14}[a-z0-9])?)_([0-9A-Za-z]{43})([0-9A-Za-z]{6})$/;

/** The same shape unanchored, for scanners that look for keys inside text. */
export const KEY_SEARCH_PATTERN = /\b[a-z](?:[a-z0-9_]{0,14}[a-z0-9])?_[0-9A-Za-z]{49}\b/g;

export const RANDOM_LENGTH = 43;
export const CHECKSUM_LENGTH = 6;
export const MAX_KEY_LENGTH = 16 + 1 + RANDOM_LENGTH + CHECKSUM_LENGTH;

/** CRC-32 (IEEE) of `<prefix>_<random>` in base62, left-padded to 6 characters. */
export function keyChecksum(prefixAndRandom: string): string {
  return encodeBase62Int(crc32(prefixAndRandom), CHECKSUM_LENGTH);
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

/** Parses a key strictly; `undefined` when its shape or its checksum is wrong. */
export function parseKey(key: string): ParsedKey | undefined {
  if (key.length > MAX_KEY_LENGTH) return undefined;
  const m = KEY_PATTERN.exec(key);
  if (m === null) return undefined;
  const prefixAndRandom = key.slice(0, key.length - CHECKSUM_LENGTH);
  if (keyChecksum(prefixAndRandom) !== m[3]) return undefined;
  return { prefix: m[1]!, random: m[2]! };
}

/** The display hint kept beside the hash: prefix plus the first and last four characters. */
export function keyHint(key: string): string {
  const body = key.slice(key.lastIndexOf('_') + 1);
  return `${key.slice(0, key.lastIndexOf('_') + 1)}${body.slice(0, 4)}…${body.slice(-4)}`;
}

/** A key with everything but the hint hidden, for reports. */
export const maskKey = keyHint;
