import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** TOTP (RFC 6238) for every account that has a second factor: the console's users and end users alike. */

/** RFC 4648 base32, the alphabet authenticator apps expect for TOTP secrets. */
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

export function base32Decode(text: string): Buffer {
  const clean = text.replace(/[\s=-]/g, '').toUpperCase();
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of clean) {
    const i = BASE32.indexOf(ch);
    if (i === -1) throw new Error('not base32');
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

export type TotpAlgorithm = 'sha1' | 'sha256' | 'sha512';

/** HOTP (RFC 4226 §5.3): dynamic truncation of HMAC(secret, counter). */
export function hotp(secret: Uint8Array, counter: number, digits = 6, algorithm: TotpAlgorithm = 'sha1'): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(algorithm, secret).update(msg).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const code = ((mac[offset]! & 0x7f) << 24) | (mac[offset + 1]! << 16) | (mac[offset + 2]! << 8) | mac[offset + 3]!;
  return String(code % 10 ** digits).padStart(digits, '0');
}

/** The RFC 6238 time step of `ms` (T0 = 0, X = 30 s). */
export function totpStep(ms: number, periodSeconds = 30): number {
  return Math.floor(ms / 1000 / periodSeconds);
}

/** TOTP (RFC 6238 §4): HOTP over the time step. */
export function totp(secret: Uint8Array, ms: number, digits = 6, algorithm: TotpAlgorithm = 'sha1'): string {
  return hotp(secret, totpStep(ms), digits, algorithm);
}

/**
 * Checks a 6-digit code against the steps around `now` (one either side, for clock drift) and
 * returns the step it matched, so the caller can refuse a step already used (RFC 6238 §5.2).
 */
export function verifyTotp(secret: Uint8Array, code: string, now: number, afterStep: number | null): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const current = totpStep(now);
  let matched: number | undefined;
  for (const step of [current - 1, current, current + 1]) {
    const expected = Buffer.from(hotp(secret, step));
    // Compare every candidate, constant-time, so timing does not tell which step matched.
    if (timingSafeEqual(expected, Buffer.from(code)) && (afterStep === null || step > afterStep)) matched ??= step;
  }
  return matched;
}

/** A new 160-bit secret (RFC 4226 §4 recommends 160 bits for HMAC-SHA1). */
export function newTotpSecret(): Buffer {
  return randomBytes(20);
}

/** The `otpauth://` URI authenticator apps read (from a QR code or by hand). */
export function otpauthUri(secret: Uint8Array, account: string, issuer = 'Tessera'): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  return `otpauth://totp/${label}?secret=${base32Encode(secret)}&issuer=${encodeURIComponent(issuer)}&algorithm=SHA1&digits=6&period=30`;
}
