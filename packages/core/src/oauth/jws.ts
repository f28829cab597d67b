import { compactVerify, importJWK, type JWK } from 'jose';
import type { MlDsa } from './signing-workers.js';

/** Largest compact JWS accepted anywhere (an ML-DSA-65 signature alone is 4,412 characters). */
export const MAX_JWS_LENGTH = 16_384;

const B64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Decodes base64url strictly (RFC 7515 §2, RFC 4648 §5 without padding): only the URL-safe
 * alphabet, no whitespace, no padding, and canonical — the unused bits of the last character
 * must be zero, so one byte string has exactly one encoding. Undefined when it is not so.
 */
export function decodeB64url(s: string): Buffer | undefined {
  if (!B64URL.test(s) || s.length % 4 === 1) return undefined;
  const bytes = Buffer.from(s, 'base64url');
  return bytes.toString('base64url') === s ? bytes : undefined;
}

export interface ParsedJws {
  header: Record<string, unknown>;
  payload: Buffer;
  signature: Buffer;
  /** `<header>.<payload>` as sent: the bytes the signature covers. */
  signingInput: string;
}

/** Splits a compact JWS into exactly three canonical base64url segments; undefined otherwise. */
export function parseCompactJws(token: unknown): ParsedJws | undefined {
  if (typeof token !== 'string' || token.length === 0 || token.length > MAX_JWS_LENGTH) return undefined;
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [h, p, s] = parts as [string, string, string];
  if (h === '' || s === '') return undefined;
  const headerBytes = decodeB64url(h);
  const payload = decodeB64url(p);
  const signature = decodeB64url(s);
  if (headerBytes === undefined || payload === undefined || signature === undefined) return undefined;
  let header: unknown;
  try {
    header = JSON.parse(headerBytes.toString('utf8'));
  } catch {
    return undefined;
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) return undefined;
  return { header: header as Record<string, unknown>, payload, signature, signingInput: `${h}.${p}` };
}

/** Header parameters that point at a key elsewhere; a verifier that follows them lets the sender pick the key. */
const KEY_POINTERS = ['jku', 'x5u', 'jwk', 'x5c', 'x5t', 'x5t#S256'] as const;

/** What each algorithm needs of a key (RFC 7518 §3.1, RFC 8037, RFC 9964). */
const ALG_KTY: Record<string, { kty: string; crv?: string }> = {
  HS256: { kty: 'oct' },
  HS384: { kty: 'oct' },
  HS512: { kty: 'oct' },
  RS256: { kty: 'RSA' },
  RS384: { kty: 'RSA' },
  RS512: { kty: 'RSA' },
  PS256: { kty: 'RSA' },
  PS384: { kty: 'RSA' },
  PS512: { kty: 'RSA' },
  ES256: { kty: 'EC', crv: 'P-256' },
  ES384: { kty: 'EC', crv: 'P-384' },
  ES512: { kty: 'EC', crv: 'P-521' },
  EdDSA: { kty: 'OKP', crv: 'Ed25519' },
  Ed25519: { kty: 'OKP', crv: 'Ed25519' },
  'ML-DSA-65': { kty: 'AKP' },
};

/** Whether a JWK may verify signatures with `alg`: right type and curve, `use` sig, `key_ops` verify, same `alg`. */
export function keyFitsAlg(jwk: Record<string, unknown>, alg: string): boolean {
  const need = ALG_KTY[alg];
  if (need === undefined || jwk.kty !== need.kty) return false;
  if (need.crv !== undefined && jwk.crv !== need.crv) return false;
  if (jwk.use !== undefined && jwk.use !== 'sig') return false;
  if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes('verify'))) return false;
  if (jwk.alg !== undefined && jwk.alg !== alg) return false;
  return true;
}

export interface VerifyJwsOptions {
  /** The explicit allow-list (RFC 8725 §3.1); `none` can never be on it. */
  algorithms: readonly string[];
  /**
   * The verification keys, chosen by the verifier and never by the token: a key is looked up by
   * its exact `kid` among these (a `kid` is never a path, a URL or a query), or, when the token
   * names none and `allowMissingKid` is set, the only key that fits the algorithm.
   */
  keys: readonly Record<string, unknown>[];
  allowMissingKid?: boolean;
  /** `typ` the header must carry, compared per RFC 7515 §4.1.9 (case-insensitive, `application/` optional). */
  typ?: string;
  /** For DPoP proofs only: the key is the `jwk` in the header, which must be public. */
  embeddedKey?: boolean;
  mlDsa?: MlDsa | undefined;
}

export type JwsOutcome =
  { ok: true; header: Record<string, unknown>; payload: Buffer; jwk: Record<string, unknown> } | { ok: false; reason: string };

const fail = (reason: string): JwsOutcome => ({ ok: false, reason });

/**
 * Verifies a compact JWS strictly. Refuses: anything but three canonical base64url segments; an
 * algorithm off the allow-list; `crit`; key pointers in the header (`jku`, `x5u`, `jwk`, …); an
 * unknown `kid`; a key whose type, curve, `use`, `key_ops` or `alg` do not fit; a bad signature.
 * The signature itself is checked by jose (ML-DSA-65, which jose lacks, by @noble/post-quantum).
 */
export async function verifyJws(token: unknown, o: VerifyJwsOptions): Promise<JwsOutcome> {
  const jws = parseCompactJws(token);
  if (jws === undefined) return fail('not a compact JWS with canonical base64url segments');
  const { header } = jws;
  const alg = header.alg;
  if (typeof alg !== 'string' || alg === 'none' || !o.algorithms.includes(alg)) return fail('algorithm not allowed');
  if (header.crit !== undefined) return fail('critical header parameters are not supported');
  if (header.b64 !== undefined) return fail('unencoded payloads are not supported');
  if (o.typ !== undefined && !typMatches(header.typ, o.typ)) return fail('wrong typ');
  let jwk: Record<string, unknown> | undefined;
  if (o.embeddedKey) {
    for (const p of KEY_POINTERS) if (p !== 'jwk' && header[p] !== undefined) return fail(`header parameter ${p} is not accepted`);
    const embedded = header.jwk;
    if (embedded === null || typeof embedded !== 'object' || Array.isArray(embedded)) return fail('no jwk in the header');
    jwk = embedded as Record<string, unknown>;
    if (['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'priv', 'seed'].some((m) => jwk![m] !== undefined))
      return fail('the embedded jwk is not a public key');
  } else {
    for (const p of KEY_POINTERS) if (header[p] !== undefined) return fail(`header parameter ${p} is not accepted`);
    const kid = header.kid;
    if (kid !== undefined) {
      if (typeof kid !== 'string') return fail('kid is not a string');
      jwk = o.keys.find((k) => k.kid === kid);
      if (jwk === undefined) return fail('unknown kid');
    } else if (o.allowMissingKid) {
      const fits = o.keys.filter((k) => keyFitsAlg(k, alg));
      if (fits.length !== 1) return fail('no kid, and not exactly one key fits');
      jwk = fits[0];
    } else {
      return fail('no kid');
    }
  }
  if (!keyFitsAlg(jwk!, alg)) return fail('the key does not fit the algorithm');
  try {
    if (alg === 'ML-DSA-65') {
      if (o.mlDsa === undefined) return fail('ML-DSA is not enabled');
      const pub = typeof jwk!.pub === 'string' ? decodeB64url(jwk!.pub) : undefined;
      if (pub === undefined) return fail('bad ML-DSA public key');
      const ok = await o.mlDsa.verify(pub, Buffer.from(jws.signingInput, 'ascii'), jws.signature);
      return ok ? { ok: true, header, payload: jws.payload, jwk: jwk! } : fail('bad signature');
    }
    const key = await importJWK(stripPrivate(jwk!) as JWK, alg);
    await compactVerify(token as string, key, { algorithms: [alg] });
    return { ok: true, header, payload: jws.payload, jwk: jwk! };
  } catch {
    return fail('bad signature');
  }
}

/** A JWK with private members removed, so a key set holding private keys still only verifies. */
function stripPrivate(jwk: Record<string, unknown>): Record<string, unknown> {
  if (jwk.kty === 'oct') return jwk;
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, oth: _oth, ...pub } = jwk;
  return pub;
}

function typMatches(actual: unknown, expected: string): boolean {
  if (typeof actual !== 'string') return false;
  const norm = (t: string) => t.toLowerCase().replace(/^application\//, '');
  return norm(actual) === norm(expected);
}
