import { createHash } from 'node:crypto';
import type { OAuthClientRecord, SigningAlg } from '../oauth-records.js';
import type { ServerContext } from '../server-context.js';
import { acrOf } from './acr.js';

/** What an ID token says of a sign-in. */
export interface IdTokenFacts {
  sub: string;
  nonce: string | null;
  /** Epoch ms. */
  authTime: number;
  amr: string[];
  accessToken: string;
}

/**
 * An ID token (OIDC Core §2, §3.1.3.6) signed by the current key of the client's algorithm, the
 * keys the JWKS publishes: `iss`, `sub`, `aud` (the client), `exp`, `iat`, `auth_time`, `nonce`
 * when the request had one, `acr` (the class `amr` amounts to: see `acrOf`), `amr` (RFC 8176) and
 * `at_hash` of the access token issued with it.
 */
export async function issueIdToken(ctx: ServerContext, client: OAuthClientRecord, issuer: string, f: IdTokenFacts): Promise<string> {
  const alg: SigningAlg = client.signingAlg === 'ML-DSA-65' ? 'EdDSA' : client.signingAlg;
  const iat = Math.floor(ctx.clock.now() / 1000);
  const claims: Record<string, unknown> = {
    iss: issuer,
    sub: f.sub,
    aud: client.id,
    exp: iat + client.accessTokenTtl,
    iat,
    auth_time: Math.floor(f.authTime / 1000),
    ...(f.nonce !== null && { nonce: f.nonce }),
    acr: acrOf(f.amr),
    amr: f.amr,
    at_hash: tokenHash(f.accessToken, alg),
  };
  return ctx.keys.signJwt(alg, 'JWT', claims);
}

/**
 * The left half of the hash of a token, base64url (OIDC Core §3.1.3.6): SHA-256 for ES256 and
 * RS256, SHA-512 for EdDSA over Ed25519 (the hash Ed25519 itself uses, as OpenID Connect's errata
 * set and relying-party libraries compute it).
 */
export function tokenHash(token: string, alg: SigningAlg): string {
  const digest = createHash(alg === 'EdDSA' ? 'sha512' : 'sha256')
    .update(token, 'ascii')
    .digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}
