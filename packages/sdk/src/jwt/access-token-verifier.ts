import {
  base64url,
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  UnsecuredJWT,
  type JWTPayload,
  type ProtectedHeaderParameters,
} from 'jose';
import { positive } from '../client/http-client.js';
import { DpopVerifier } from './dpop-proof.js';
import { MemoryDpopReplayStore, type DpopReplayStore } from './dpop-replay-store.js';

/**
 * Signature algorithms Tessera signs access tokens with. `ML-DSA-65` (FIPS 204, post-quantum) needs
 * the optional peer dependency `@noble/post-quantum`; jose does not implement it.
 */
export type AccessTokenAlgorithm = 'EdDSA' | 'Ed25519' | 'ES256' | 'RS256' | 'ML-DSA-65';
const SUPPORTED: readonly string[] = ['EdDSA', 'Ed25519', 'ES256', 'RS256', 'ML-DSA-65'];

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

/**
 * Verifies Tessera's access tokens locally (RFC 9068): signature by a key of the issuer's JWKS
 * (cached, fetched again for an unknown `kid` at most once per cooldown), an algorithm from the
 * allow-list, `typ` at+jwt, `iss`, `aud`, `exp`, `nbf`, and the DPoP proof of a DPoP-bound token.
 *
 * @example
 * ```ts
 * const verifier = new AccessTokenVerifier({ issuer: 'https://tessera.example', algorithms: ['EdDSA'] });
 * const r = await verifier.verify({ token, scheme: 'Bearer' }, { audience: 'https://api.example', scopes: ['orders:read'] });
 * ```
 */
export class AccessTokenVerifier {
  readonly issuer: string;
  readonly algorithms: readonly AccessTokenAlgorithm[];
  private readonly o: AccessTokenVerifierOptions;
  private readonly now: () => number;
  private readonly timeoutMs: number;
  private readonly dpop: DpopVerifier;
  private metadata: Promise<Record<string, unknown>> | undefined;
  private jwks: ReturnType<typeof createRemoteJWKSet> | undefined;

  constructor(options: AccessTokenVerifierOptions) {
    if (typeof options?.issuer !== 'string' || !/^https?:\/\//.test(options.issuer))
      throw new TypeError('issuer must be the http(s) URL of the authorization server');
    if (!Array.isArray(options.algorithms) || options.algorithms.length === 0)
      throw new TypeError('algorithms must list the signature algorithms to accept, e.g. ["EdDSA"]');
    const unknown = options.algorithms.find((a) => !SUPPORTED.includes(a));
    if (unknown !== undefined) throw new TypeError(`algorithm "${unknown}" is not supported; use ${SUPPORTED.join(', ')}`);
    if (
      options.introspection !== undefined &&
      (typeof options.introspection.clientId !== 'string' || typeof options.introspection.clientSecret !== 'string')
    ) {
      throw new TypeError('introspection needs clientId and clientSecret');
    }
    if (options.workspace !== undefined && (typeof options.workspace !== 'string' || options.workspace === ''))
      throw new TypeError('workspace must be the id of a Tessera workspace');
    this.o = options;
    this.issuer = options.issuer;
    this.algorithms = [...options.algorithms];
    this.now = options.now ?? Date.now;
    this.timeoutMs = positive(options.timeoutMs, 5_000, 'timeoutMs');
    positive(options.jwksCooldownMs, 30_000, 'jwksCooldownMs');
    const replays = options.dpopReplayStore ?? new MemoryDpopReplayStore();
    if (typeof replays.remember !== 'function') throw new TypeError('dpopReplayStore must have remember(key, expiresAt, now)');
    this.dpop = new DpopVerifier(positive(options.dpopMaxAgeSeconds, 60, 'dpopMaxAgeSeconds'), this.now, replays);
  }

  async verify(presented: PresentedToken, options: VerifyTokenOptions): Promise<VerifyTokenResult> {
    let jwks: ReturnType<typeof createRemoteJWKSet>;
    try {
      jwks = await this.keySet();
    } catch {
      return { valid: false, code: 'temporarily_unavailable', description: 'the signing keys cannot be fetched' };
    }
    let claims: JWTPayload & Record<string, unknown>;
    const claimChecks = {
      issuer: this.issuer,
      audience: typeof options.audience === 'string' ? options.audience : [...options.audience],
      typ: 'at+jwt',
      clockTolerance: this.o.clockToleranceSeconds ?? 5,
      requiredClaims: ['exp', 'iat', 'sub', 'jti'],
      currentDate: new Date(this.now()),
    };
    try {
      if (headerOf(presented.token)?.alg === ML_DSA_65) {
        if (!this.algorithms.includes(ML_DSA_65))
          throw new errors.JOSEAlgNotAllowed('"alg" (Algorithm) Header Parameter value not allowed');
        claims = await this.verifyMlDsa(presented.token, jwks, claimChecks);
      } else {
        const verified = await jwtVerify(presented.token, jwks, {
          ...claimChecks,
          algorithms: this.algorithms.filter((a) => a !== ML_DSA_65),
        });
        claims = verified.payload as JWTPayload & Record<string, unknown>;
      }
    } catch (err) {
      if (
        err instanceof errors.JWKSTimeout ||
        (err instanceof Error && /fetch|network|ECONN/i.test(err.message) && !(err instanceof errors.JOSEError))
      ) {
        return { valid: false, code: 'temporarily_unavailable', description: 'the signing keys cannot be fetched' };
      }
      return { valid: false, code: 'invalid_token', description: describe(err) };
    }
    if (this.o.workspace !== undefined && claims.workspace_id !== this.o.workspace)
      return { valid: false, code: 'invalid_token', description: 'the token was issued for another workspace' };
    const cnf = claims.cnf as { jkt?: unknown } | undefined;
    const jkt = typeof cnf?.jkt === 'string' ? cnf.jkt : undefined;
    if (jkt !== undefined) {
      if (presented.scheme !== 'DPoP')
        return { valid: false, code: 'invalid_token', description: 'this token is DPoP-bound: send it with the DPoP scheme and a proof' };
      const problem = await this.dpop.check({
        proof: presented.dpop,
        method: presented.method ?? '',
        url: presented.url,
        accessToken: presented.token,
        jkt,
      });
      if (problem !== undefined) return { valid: false, code: 'invalid_dpop_proof', description: problem };
    } else if (presented.scheme === 'DPoP') {
      return { valid: false, code: 'invalid_token', description: 'this token is not DPoP-bound: send it with the Bearer scheme' };
    }
    const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ').filter((s) => s !== '') : [];
    const missing = (options.scopes ?? []).filter((need) => !scopes.some((have) => grants(have, need)));
    if (missing.length > 0) return { valid: false, code: 'insufficient_scope', description: `the token lacks ${missing.join(' ')}` };
    if (options.introspect === true) {
      const active = await this.introspect(presented.token);
      if (active === undefined)
        return { valid: false, code: 'temporarily_unavailable', description: 'the token cannot be introspected now' };
      if (!active) return { valid: false, code: 'invalid_token', description: 'the token is no longer active' };
    }
    return {
      valid: true,
      identity: {
        kind: 'access_token',
        subject: claims.sub!,
        clientId: typeof claims.client_id === 'string' ? claims.client_id : undefined,
        scopes,
        jkt,
        claims,
      },
    };
  }

  /**
   * An ML-DSA-65 token (JOSE `alg` "ML-DSA-65", key type `AKP` with the public key in `pub`):
   * the signature is checked with @noble/post-quantum against the key named by `kid`, then the
   * claims are checked by jose's own rules, by handing it the verified payload as an unsecured
   * JWT carrying the original `typ`.
   */
  private async verifyMlDsa(
    token: string,
    jwks: ReturnType<typeof createRemoteJWKSet>,
    checks: Parameters<typeof UnsecuredJWT.decode>[1],
  ): Promise<JWTPayload & Record<string, unknown>> {
    const [h, p, s] = token.split('.');
    const header = headerOf(token)!;
    const find = () =>
      jwks.jwks()?.keys.find((k) => k.kid === header.kid && k.kty === 'AKP' && (k.alg === undefined || k.alg === ML_DSA_65));
    let jwk = find();
    if (jwk === undefined && !jwks.coolingDown) {
      await jwks.reload();
      jwk = find();
    }
    if (jwk === undefined || typeof jwk.pub !== 'string') throw new errors.JWKSNoMatchingKey();
    const { ml_dsa65 } = await loadMlDsa();
    const signature = base64url.decode(s!);
    const publicKey = base64url.decode(jwk.pub);
    if (signature.length !== ML_DSA_65_SIGNATURE_BYTES || !ml_dsa65.verify(signature, new TextEncoder().encode(`${h}.${p}`), publicKey)) {
      throw new errors.JWSSignatureVerificationFailed();
    }
    const unsecured = `${base64url.encode(JSON.stringify({ alg: 'none', typ: header.typ }))}.${p}.`;
    return UnsecuredJWT.decode(unsecured, checks).payload as JWTPayload & Record<string, unknown>;
  }

  /** RFC 7662: whether the server still holds the token active; undefined when it cannot say. */
  private async introspect(token: string): Promise<boolean | undefined> {
    const creds = this.o.introspection;
    if (creds === undefined) throw new TypeError('introspect needs the introspection option (client credentials)');
    try {
      const meta = await this.discover();
      const endpoint = typeof meta.introspection_endpoint === 'string' ? meta.introspection_endpoint : `${this.issuer}/oauth/introspect`;
      const basic = btoa(`${encodeURIComponent(creds.clientId)}:${encodeURIComponent(creds.clientSecret)}`);
      const res = await fetch(endpoint, {
        method: 'POST',
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      if (!res.ok) return undefined;
      return ((await res.json()) as { active?: unknown }).active === true;
    } catch {
      return undefined;
    }
  }

  private async keySet(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    if (this.jwks !== undefined) return this.jwks;
    let uri = this.o.jwksUri;
    if (uri === undefined) {
      const meta = await this.discover();
      if (typeof meta.jwks_uri !== 'string') throw new Error('the metadata names no jwks_uri');
      uri = meta.jwks_uri;
    }
    this.jwks = createRemoteJWKSet(new URL(uri), {
      cooldownDuration: this.o.jwksCooldownMs ?? 30_000,
      cacheMaxAge: this.o.jwksMaxAgeMs ?? 600_000,
      timeoutDuration: this.timeoutMs,
    });
    return this.jwks;
  }

  /** RFC 8414 metadata, fetched once; its `issuer` must be the configured one (§3.3). */
  private discover(): Promise<Record<string, unknown>> {
    this.metadata ??= (async () => {
      const res = await fetch(`${this.issuer.replace(/\/$/, '')}/.well-known/oauth-authorization-server`, {
        signal: AbortSignal.timeout(this.timeoutMs),
        headers: { accept: 'application/json' },
      });
      if (!res.ok) throw new Error(`metadata answered ${res.status}`);
      const meta = (await res.json()) as Record<string, unknown>;
      if (meta.issuer !== this.issuer) throw new Error('the metadata is for another issuer');
      return meta;
    })().catch((err: unknown) => {
      this.metadata = undefined; // try again on the next request
      throw err;
    });
    return this.metadata;
  }
}

const ML_DSA_65 = 'ML-DSA-65';
const ML_DSA_65_SIGNATURE_BYTES = 3309;

/** The token's protected header, or undefined when it has none that parses. */
function headerOf(token: string): ProtectedHeaderParameters | undefined {
  try {
    return decodeProtectedHeader(token);
  } catch {
    return undefined;
  }
}

interface MlDsa {
  ml_dsa65: { verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean };
}
let mlDsa: Promise<MlDsa> | undefined;

/** @noble/post-quantum, loaded on the first ML-DSA token (an optional peer dependency). */
function loadMlDsa(): Promise<MlDsa> {
  mlDsa ??= (import('@noble/post-quantum/ml-dsa.js' as string) as Promise<MlDsa>).catch(() => {
    mlDsa = undefined;
    throw new Error('verifying ML-DSA-65 tokens needs the package @noble/post-quantum (npm install @noble/post-quantum)');
  });
  return mlDsa;
}

function grants(have: string, need: string): boolean {
  if (have === need || have === '*') return true;
  return have.endsWith(':*') && need.startsWith(have.slice(0, -1)) && need.length > have.length - 1;
}

/** A description that says what failed without echoing the token. */
function describe(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'the token has expired';
  if (err instanceof errors.JWTClaimValidationFailed) return `the token's "${err.claim}" claim is not acceptable`;
  if (err instanceof errors.JOSEAlgNotAllowed) return 'the token is signed with an algorithm this API does not accept';
  if (err instanceof errors.JWKSNoMatchingKey) return 'the token is signed by an unknown key';
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'the token signature is not valid';
  return 'the token is not a valid access token';
}
