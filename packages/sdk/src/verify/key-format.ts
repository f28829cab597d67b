/**
 * The shape of a Tessera key, checked offline: `<prefix>_<43 base62><6 base62 checksum>`, the
 * checksum being CRC-32 (IEEE) of everything before it, in base62. A copy of the server's check
 * (a few lines) rather than a dependency on the server's domain package, so that the SDK can be
 * published alone; a test runs both over the same keys so they cannot drift apart.
 */
const KEY_PATTERN = /^[a-z](?:[a-z0-9_]{0,14}[a-z0-9])?_[0-9A-Za-z]{49}$/;
const CHECKSUM_LENGTH = 6;
const MAX_KEY_LENGTH = 16 + 1 + 43 + CHECKSUM_LENGTH;
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

const CRC_TABLE = new Int32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});

const BASE62_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) BASE62_VALUE[ALPHABET.charCodeAt(i)] = i;

/** Whether `key` has the shape of a Tessera key and a correct checksum. No network, no secrets. */
export function isWellFormedKey(key: unknown): key is string {
  if (typeof key !== 'string' || key.length > MAX_KEY_LENGTH || !KEY_PATTERN.test(key)) return false;
  const end = key.length - CHECKSUM_LENGTH;
  let crc = -1;
  for (let i = 0; i < end; i++) crc = CRC_TABLE[(crc ^ key.charCodeAt(i)) & 0xff]! ^ (crc >>> 8);
  let value = 0;
  for (let i = end; i < key.length; i++) value = value * 62 + BASE62_VALUE[key.charCodeAt(i)]!;
  // 62^6 > 2^32: the 6-character value equals the CRC exactly when its encoding does.
  return value === (crc ^ -1) >>> 0;
}

/** Anything in a text that looks like a key, for scrubbing messages. */
export const KEY_LIKE = /\b[a-z](?:[a-z0-9_]{0,14}[a-z0-9])?_[0-9A-Za-z]{49}\b/g;
