import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode, hotp, totp, verifyTotp } from '../../packages/core/src/totp/totp.js';

/** RFC 6238 Appendix B: the seeds are ASCII "1234567890" repeated to the hash's key size. */
const SEEDS = {
  sha1: Buffer.from('12345678901234567890'),
  sha256: Buffer.from('12345678901234567890123456789012'),
  sha512: Buffer.from('1234567890123456789012345678901234567890123456789012345678901234'),
};
const VECTORS: [number, string, string, string][] = [
  [59, '94287082', '46119246', '90693936'],
  [1111111109, '07081804', '68084774', '25091201'],
  [1111111111, '14050471', '67062674', '99943326'],
  [1234567890, '89005924', '91819424', '93441116'],
  [2000000000, '69279037', '90698825', '38618901'],
  [20000000000, '65353130', '77737706', '47863826'],
];

describe('RFC 6238 Appendix B test vectors', () => {
  for (const [t, sha1, sha256, sha512] of VECTORS) {
    it(`T = ${t}`, () => {
      expect(totp(SEEDS.sha1, t * 1000, 8, 'sha1')).toBe(sha1);
      expect(totp(SEEDS.sha256, t * 1000, 8, 'sha256')).toBe(sha256);
      expect(totp(SEEDS.sha512, t * 1000, 8, 'sha512')).toBe(sha512);
    });
  }
});

describe('RFC 4226 Appendix D (HOTP) and base32', () => {
  it('matches the HOTP values for counters 0–9', () => {
    const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
    expect(expected.map((_, i) => hotp(SEEDS.sha1, i))).toEqual(expected);
  });

  it('round-trips base32 (RFC 4648 §10 vectors)', () => {
    expect(base32Encode(Buffer.from('foobar'))).toBe('MZXW6YTBOI');
    expect(base32Decode('MZXW6YTBOI').toString()).toBe('foobar');
    expect(base32Decode('mzxw 6ytb oi======').toString()).toBe('foobar');
  });

  it('accepts one step of drift either side, and never a step already used', () => {
    const now = 1_700_000_000_000;
    const code = totp(SEEDS.sha1, now - 30_000);
    const step = verifyTotp(SEEDS.sha1, code, now, null);
    expect(step).toBe(Math.floor(now / 30_000) - 1);
    expect(verifyTotp(SEEDS.sha1, code, now, step!)).toBeUndefined();
    expect(verifyTotp(SEEDS.sha1, totp(SEEDS.sha1, now - 90_000), now, null)).toBeUndefined();
    expect(verifyTotp(SEEDS.sha1, '12345', now, null)).toBeUndefined();
  });
});
