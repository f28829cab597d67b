import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock.js';

const NONCE_BYTES = 16;
const TAG_BYTES = 16;
const MINUTE = 60_000;

/**
 * Half-open sessions for sign-ins that cannot succeed: an unknown email, a wrong password, a
 * locked or disabled account. The password step answers them as it answers a right password — a
 * token in a cookie and "now the second factor" — so it tells nobody whether the email exists or
 * the password was right; the second factor then fails whatever is sent, with the answer a wrong
 * code gets.
 *
 * A decoy is stored nowhere. Its token is a random nonce and a MAC of the nonce and the minute it
 * was made, under the keyring's pepper, so every node of a cluster knows it for as long as a real
 * half-open session lives, and without the pepper it is 32 random-looking bytes like a real token.
 */
export class DecoyTokens {
  private readonly minutes: number;

  constructor(
    /** A keyed MAC shared by every node (the keyring's pepper HMAC). */
    private readonly mac: (input: string) => string,
    private readonly clock: Clock,
    lifetimeMs: number,
  ) {
    this.minutes = Math.max(1, Math.ceil(lifetimeMs / MINUTE));
  }

  issue(): string {
    const nonce = randomBytes(NONCE_BYTES);
    return Buffer.concat([nonce, this.tag(nonce, Math.floor(this.clock.now() / MINUTE))]).toString('base64url');
  }

  /** Whether `token` is a decoy made in the last `lifetimeMs` (rounded up to whole minutes). */
  isDecoy(token: string): boolean {
    const raw = Buffer.from(token, 'base64url');
    if (raw.length !== NONCE_BYTES + TAG_BYTES) return false;
    const nonce = raw.subarray(0, NONCE_BYTES);
    const tag = raw.subarray(NONCE_BYTES);
    const minute = Math.floor(this.clock.now() / MINUTE);
    let found = false;
    // Every minute of the lifetime is tried, so the time taken says nothing of which one matched.
    for (let m = minute; m > minute - this.minutes; m--) found = timingSafeEqual(tag, this.tag(nonce, m)) || found;
    return found;
  }

  private tag(nonce: Buffer, minute: number): Buffer {
    return Buffer.from(this.mac(`console_decoy:${minute}:${nonce.toString('base64url')}`), 'base64url').subarray(0, TAG_BYTES);
  }
}
