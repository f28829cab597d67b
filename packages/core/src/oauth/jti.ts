import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
const JTI_BYTES = 16;
const pool = Buffer.alloc(POOL_BYTES);
let offset = POOL_BYTES;

/**
 * A fresh token id: 128 random bits, base64url. The bits come from a pool the system CSPRNG
 * refills 4 KiB at a time, as Node's own randomUUID does: one call per 256 ids rather than one
 * each, on a path that issues thousands of tokens a second. A `jti` is public, so nothing secret
 * lingers in the pool.
 */
export function newJti(): string {
  if (offset + JTI_BYTES > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const jti = pool.toString('base64url', offset, offset + JTI_BYTES);
  offset += JTI_BYTES;
  return jti;
}
