import { base64url, calculateJwkThumbprint, EmbeddedJWK, jwtVerify } from 'jose';
import type { DpopReplayStore } from './dpop-replay-store.js';

/** Algorithms a DPoP proof may use: asymmetric only (RFC 9449 §4.2). */
export const DPOP_ALGORITHMS = ['EdDSA', 'Ed25519', 'ES256', 'ES384', 'RS256', 'PS256'] as const;

export interface DpopCheck {
  /** The `DPoP` header; more than one value is refused. */
  proof: string | readonly string[] | undefined;
  /** The request's method and its URL as the client called it (scheme, host, path; the query is ignored). */
  method: string;
  /** From the API's configured public URL, never from the request's Host header; undefined when it has none. */
  url: string | undefined;
  accessToken: string;
  /** `cnf.jkt` of the access token. */
  jkt: string;
}

/**
 * Checks a DPoP proof for a request to a resource server (RFC 9449 §4.3, §7.1): one proof,
 * `typ` dpop+jwt, an allowed asymmetric algorithm, signed by the public key in its header, that
 * key's thumbprint being the token's `cnf.jkt`, `htm`/`htu` matching this request, `ath` the
 * hash of this token, `iat` recent, and `jti` not seen before within that window.
 */
export class DpopVerifier {
  constructor(
    private readonly maxAgeSeconds: number,
    private readonly now: () => number,
    private readonly replays: DpopReplayStore,
  ) {}

  /** `undefined` when the proof holds, else why not (for `error_description`). */
  async check(c: DpopCheck): Promise<string | undefined> {
    if (c.proof === undefined) return 'a DPoP proof is required for this token';
    if (c.url === undefined) return 'this API has no public URL configured (publicUrl), so DPoP proofs cannot be checked';
    if (typeof c.proof !== 'string') return 'exactly one DPoP proof is allowed';
    let payload: Record<string, unknown>;
    let jwk: Record<string, unknown>;
    try {
      const verified = await jwtVerify(c.proof, EmbeddedJWK, {
        typ: 'dpop+jwt',
        algorithms: [...DPOP_ALGORITHMS],
        currentDate: new Date(this.now()),
      });
      payload = verified.payload;
      jwk = verified.protectedHeader.jwk as Record<string, unknown>;
    } catch {
      return 'the DPoP proof is not valid';
    }
    if (typeof payload.jti !== 'string' || payload.jti.length === 0 || payload.jti.length > 256) return 'the DPoP proof has no jti';
    if (payload.htm !== c.method.toUpperCase()) return 'the DPoP proof is for another method';
    if (typeof payload.htu !== 'string' || normaliseUrl(payload.htu) !== normaliseUrl(c.url)) return 'the DPoP proof is for another URL';
    const now = Math.floor(this.now() / 1000);
    if (typeof payload.iat !== 'number' || Math.abs(now - payload.iat) > this.maxAgeSeconds)
      return 'the DPoP proof is too old or from the future';
    const ath = base64url.encode(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(c.accessToken))));
    if (payload.ath !== ath) return 'the DPoP proof is for another access token';
    if ((await calculateJwkThumbprint(jwk as Parameters<typeof calculateJwkThumbprint>[0], 'sha256')) !== c.jkt)
      return 'the DPoP proof is signed by another key than the token is bound to';
    // Remembered for as long as the proof could be accepted (iat within the age either side).
    const nowMs = this.now();
    let fresh: boolean;
    try {
      fresh = await this.replays.remember(`${c.jkt}:${payload.jti}`, nowMs + 2 * this.maxAgeSeconds * 1000, nowMs);
    } catch {
      return 'the DPoP proof cannot be checked for replay right now';
    }
    if (!fresh) return 'the DPoP proof was used before';
    return undefined;
  }
}

/** RFC 9449 §4.3: compare without query and fragment, after normalising scheme, host and default port. */
function normaliseUrl(value: string): string | undefined {
  try {
    const u = new URL(value);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return undefined;
  }
}
