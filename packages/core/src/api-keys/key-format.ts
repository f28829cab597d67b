import { keyChecksum, PREFIX_PATTERN, RANDOM_LENGTH } from '@tessera/api';
import { randomBase62 } from '../base62.js';

/** A new key for `prefix`: 43 base62 characters carry 256 bits from the OS CSPRNG (the format: @tessera/api). */
export function generateKey(prefix: string): string {
  if (!PREFIX_PATTERN.test(prefix)) throw new Error(`invalid key prefix`);
  const body = `${prefix}_${randomBase62(RANDOM_LENGTH)}`;
  return body + keyChecksum(body);
}
