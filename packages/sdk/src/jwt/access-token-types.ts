import type { JWTPayload } from 'jose';
import type { DpopReplayStore } from './dpop-replay-store.js';

/**
 * Signature algorithms Tessera signs access tokens with. `ML-DSA-65` (FIPS 204, post-quantum) needs
 * the optional peer dependency `@noble/post-quantum`; jose does not implement it.
 */
export type AccessTokenAlgorithm = 'EdDSA' | 'Ed25519' | 'ES256' | 'RS256' | 'ML-DSA-65';

export interface AccessTokenVerifierOptions {
  /** The authorization server's issuer identifier (its `iss`), e.g. `https://tessera.example`. */
  issuer: string;
  /** The algorithms to accept, explicitly: tokens signed otherwise are refused. */
  algorithms: readonly AccessTokenAlgorithm[];
  /**
   * The Tessera workspace this API belongs to (`ws_…`): tokens must carry it as `workspace_id`.
   * Set it whenever one Tessera serves several workspaces, so that another workspace's
   * administrator cannot mint tokens this API accepts.
   */
  workspace?: string | undefined;
  /** Where the signing keys are; found through the issuer's RFC 8414 metadata when absent. */
  jwksUri?: string | undefined;
  /** Leeway for `exp`, `nbf` and `iat`. Default 5 s. */
  clockToleranceSeconds?: number | undefined;
  /** Shortest time between two JWKS fetches caused by an unknown `kid`. Default 30 s. */
  jwksCooldownMs?: number | undefined;
  /** How long fetched keys are trusted before they are fetched again. Default 10 min. */
  jwksMaxAgeMs?: number | undefined;
  /** How old a DPoP proof may be. Default 60 s. */
  dpopMaxAgeSeconds?: number | undefined;
  /**
   * Where accepted DPoP proofs are remembered: this process by default. Replicas of one API must
   * share one (`RedisDpopReplayStore`), or a proof replayed to another replica passes there.
   */
  dpopReplayStore?: DpopReplayStore | undefined;
  /** Client credentials for introspection (RFC 7662), used only when a check asks for it. */
  introspection?: { clientId: string; clientSecret: string } | undefined;
  /** Timeout of the metadata, JWKS and introspection requests. Default 5000 ms. */
  timeoutMs?: number | undefined;
  /** The clock, in ms since the epoch (tests move it). */
  now?: (() => number) | undefined;
}

/** What a request presents, for {@link AccessTokenVerifier.verify}. */
export interface PresentedToken {
  token: string;
  /** `Bearer` or `DPoP`: the scheme of the Authorization header. */
  scheme: 'Bearer' | 'DPoP';
  /** The request, for DPoP-bound tokens. `url` is the API's public URL and the path, never built from the Host header. */
  method?: string | undefined;
  url?: string | undefined;
  dpop?: string | readonly string[] | undefined;
}

export interface VerifyTokenOptions {
  /** The audience this API is (`aud` must name it). */
  audience: string | readonly string[];
  /** Scopes the token must all hold (`orders:*` in a token grants `orders:read`). */
  scopes?: readonly string[] | undefined;
  /** Ask the server too, so a revoked token is refused at once (costs a round trip). */
  introspect?: boolean | undefined;
}

export interface AccessTokenIdentity {
  kind: 'access_token';
  subject: string;
  clientId: string | undefined;
  scopes: string[];
  /** `cnf.jkt` when the token is DPoP-bound. */
  jkt: string | undefined;
  claims: JWTPayload & Record<string, unknown>;
}

export type TokenFailureCode = 'invalid_token' | 'invalid_dpop_proof' | 'insufficient_scope' | 'temporarily_unavailable';

export type VerifyTokenResult =
  { valid: true; identity: AccessTokenIdentity } | { valid: false; code: TokenFailureCode; description: string };
