import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { Clock } from '../clock.js';
import type { Keyring } from '../custody/envelope-keyring.js';
import { safeEqual } from '../custody/safe-equal.js';
import { verifyJws } from './jws.js';
import { OAuthError } from './oauth-error.js';
import type { OnceRepos } from './once-repos.js';

/** Algorithms accepted for DPoP proofs (metadata `dpop_signing_alg_values_supported`). */
export const DPOP_ALGS = ['EdDSA', 'Ed25519', 'ES256', 'PS256', 'RS256'] as const;

/** How old a proof may be, and how far ahead of our clock (RFC 9449 §11.1). */
export const DPOP_IAT_WINDOW = { pastMs: 60_000, futureMs: 10_000 } as const;

const NONCE_SLOT_MS = 5 * 60_000;

/**
 * Server-provided DPoP nonces (RFC 9449 §8), stateless: an HMAC of the current five-minute slot
 * under the keyring pepper, so every node issues and accepts the same nonces. A nonce is valid in
 * its slot and the next.
 */
export class DpopNonces {
  constructor(private readonly deps: { keyring: Keyring; clock: Clock }) {}

  current(): string {
    return this.forSlot(Math.floor(this.deps.clock.now() / NONCE_SLOT_MS));
  }

  accepts(nonce: unknown): boolean {
    if (typeof nonce !== 'string') return false;
    const slot = Math.floor(this.deps.clock.now() / NONCE_SLOT_MS);
    return safeEqual(nonce, this.forSlot(slot)) || safeEqual(nonce, this.forSlot(slot - 1));
  }

  private forSlot(slot: number): string {
    return this.deps.keyring.hash('dpop_nonce', `dpop_nonce:${slot}`).slice(0, 32);
  }
}

export interface DpopCheck {
  method: string;
  /** The URL of the endpoint as the issuer names it. */
  url: string;
  nonces?: DpopNonces | undefined;
  /** At a resource: the access token presented with the proof, whose hash the proof's `ath` must be (RFC 9449 §4.3, check 11). */
  accessToken?: string | undefined;
}

/**
 * Checks a DPoP proof (RFC 9449 §4.3) and returns the thumbprint of its key (RFC 7638), which
 * the access token then carries as `cnf.jkt`. Each proof is accepted once: its `jti` is
 * remembered for as long as its `iat` would be accepted.
 */
export async function verifyDpopProof(
  values: string[],
  check: DpopCheck,
  deps: { repos: OnceRepos; clock: Clock },
): Promise<{ jkt: string }> {
  const bad = (d: string) => new OAuthError('invalid_dpop_proof', d);
  if (values.length !== 1) throw bad('Send exactly one DPoP header.');
  const outcome = await verifyJws(values[0], { algorithms: DPOP_ALGS, keys: [], embeddedKey: true, typ: 'dpop+jwt' });
  if (!outcome.ok) throw bad(`The DPoP proof is not valid: ${outcome.reason}.`);
  if (outcome.header.typ !== 'dpop+jwt') throw bad('The DPoP proof must have typ dpop+jwt.');
  let claims: Record<string, unknown>;
  try {
    claims = JSON.parse(outcome.payload.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw bad('The DPoP proof payload is not JSON.');
  }
  if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) throw bad('The DPoP proof payload is not a JSON object.');
  const { jti, htm, htu, iat } = claims;
  if (typeof jti !== 'string' || jti.length < 8 || jti.length > 256) throw bad('The DPoP proof needs a jti of 8 to 256 characters.');
  if (htm !== check.method) throw bad('The DPoP proof htm does not match the request method.');
  if (typeof htu !== 'string' || !sameTarget(htu, check.url)) throw bad('The DPoP proof htu does not match the endpoint.');
  const now = deps.clock.now();
  if (typeof iat !== 'number' || !Number.isFinite(iat)) throw bad('The DPoP proof needs a numeric iat.');
  if (iat * 1000 < now - DPOP_IAT_WINDOW.pastMs || iat * 1000 > now + DPOP_IAT_WINDOW.futureMs)
    throw bad('The DPoP proof iat is outside the accepted window.');
  if (check.accessToken !== undefined && claims.ath !== createHash('sha256').update(check.accessToken).digest('base64url'))
    throw bad('The DPoP proof ath does not match the access token.');
  if (check.nonces !== undefined && !check.nonces.accepts(claims.nonce)) {
    throw new OAuthError('use_dpop_nonce', 'Send a DPoP proof with the nonce in the DPoP-Nonce header.', {
      'dpop-nonce': check.nonces.current(),
    });
  }
  const jkt = await calculateJwkThumbprint(outcome.jwk as JWK, 'sha256');
  const fresh = await deps.repos.rememberOnce(`dpop:${jkt}:${jti}`, iat * 1000 + DPOP_IAT_WINDOW.pastMs + DPOP_IAT_WINDOW.futureMs, now);
  if (!fresh) throw bad('This DPoP proof was used before.');
  return { jkt };
}

/** `htu` names the same resource, ignoring query and fragment (RFC 9449 §4.3, RFC 3986 §6.2.2–6.2.3). */
function sameTarget(htu: string, url: string): boolean {
  let a: URL;
  let b: URL;
  try {
    a = new URL(htu);
    b = new URL(url);
  } catch {
    return false;
  }
  return a.protocol === b.protocol && a.host === b.host && a.pathname === b.pathname && a.username === '' && a.password === '';
}
