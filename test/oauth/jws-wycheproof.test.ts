import { readFileSync } from 'node:fs';
import { webcrypto } from 'node:crypto';
import { verifyJws } from '@tessera/core';
import { describe, expect, it } from 'vitest';

const vectors = (name: string) => JSON.parse(readFileSync(new URL(`./vectors/wycheproof/${name}`, import.meta.url), 'utf8'));

/**
 * Where Tessera's verifier deliberately answers differently from the vector's `result`:
 * - 367, 370 ("invalidBase64Padding…"): labelled invalid, yet byte for byte the same JWS as the
 *   valid case 357 (the padding they meant to add is not in the file). A correct signature over
 *   canonical segments is valid; we accept them.
 * - 372, 373 ("InvalidCharacterInserted…"): labelled valid although a `?` sits inside a segment.
 *   Base64url has no `?`; a lenient decoder that skips it lets two strings stand for one token.
 *   We reject every character outside the alphabet and every non-canonical encoding.
 * - 346, 350 (RFC 7520 figure 20): the key says `"alg": "PS256"`, the JWS says PS384. A key's
 *   `alg` names the one algorithm it is for (RFC 7517 §4.4); we refuse the mismatch.
 * - 347, 351 (RFC 7520 figure 27): the key says `"alg": "ES521"`, which is no JOSE algorithm, and
 *   the JWS says ES512: the same mismatch, refused.
 */
const DISAGREE: Record<number, 'valid' | 'invalid'> = {
  367: 'valid',
  370: 'valid',
  372: 'invalid',
  373: 'invalid',
  346: 'invalid',
  350: 'invalid',
  347: 'invalid',
  351: 'invalid',
};

/**
 * Every algorithm jose implements is on the allow-list here, so what refuses a mismatched key is
 * the verifier's key checks (type, curve, `use`, `key_ops`, `alg`), not the list. Tessera's own
 * endpoints use short lists with no HMAC at all.
 */
const EVERY_ALG = ['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

interface Case {
  tcId: number;
  comment: string;
  jws: unknown;
  result: 'valid' | 'invalid' | 'acceptable';
}

describe("Wycheproof JWS vectors against Tessera's verifier", () => {
  const file = vectors('json_web_signature_test.json');
  const groups = file.testGroups as {
    comment: string;
    public?: Record<string, unknown>;
    private?: Record<string, unknown>;
    tests: Case[];
  }[];

  it('covers every case in the file', () => {
    expect(groups.reduce((n, g) => n + g.tests.length, 0)).toBe(file.numberOfTests);
  });

  for (const g of groups) {
    const key = g.public ?? g.private!;
    it.each(g.tests.map((t) => [t.tcId, t.comment, t] as const))(`${g.comment}: case %i %s`, async (_id, _c, t) => {
      const outcome = await verifyJws(t.jws, { algorithms: EVERY_ALG, keys: [key] });
      const expected = DISAGREE[t.tcId] ?? t.result;
      if (expected === 'acceptable') return;
      expect(outcome.ok, outcome.ok ? 'accepted' : outcome.reason).toBe(expected === 'valid');
    });
  }
});

describe('Wycheproof ECDSA P-256 (IEEE P1363) vectors against the ES256 primitive', () => {
  const file = vectors('ecdsa_secp256r1_sha256_p1363_test.json');
  it('answers every case as Wycheproof does, r = s = 0 included', async () => {
    let checked = 0;
    for (const g of file.testGroups as { publicKeyDer: string; tests: { tcId: number; msg: string; sig: string; result: string }[] }[]) {
      const key = await webcrypto.subtle.importKey(
        'spki',
        Buffer.from(g.publicKeyDer, 'hex'),
        { name: 'ECDSA', namedCurve: 'P-256' },
        false,
        ['verify'],
      );
      for (const t of g.tests) {
        if (t.result === 'acceptable') continue;
        const ok = await webcrypto.subtle.verify(
          { name: 'ECDSA', hash: 'SHA-256' },
          key,
          Buffer.from(t.sig, 'hex'),
          Buffer.from(t.msg, 'hex'),
        );
        expect(ok, `tcId ${t.tcId}`).toBe(t.result === 'valid');
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(200);
  });
});
