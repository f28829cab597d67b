import { errors, jwtVerify, type JWTPayload } from 'jose';
import { positive } from '../client/http-client.js';
import type {
  AccessTokenAlgorithm,
  AccessTokenVerifierOptions,
  PresentedToken,
  VerifyTokenOptions,
  VerifyTokenResult,
} from './access-token-types.js';
import { DpopVerifier } from './dpop-proof.js';
import { MemoryDpopReplayStore } from './dpop-replay-store.js';
import { IssuerClient, type RemoteKeySet } from './issuer-client.js';
import { headerOf, ML_DSA_65, verifyMlDsaToken } from './ml-dsa-token.js';

const SUPPORTED: readonly string[] = ['EdDSA', 'Ed25519', 'ES256', 'RS256', 'ML-DSA-65'];

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
  private readonly dpop: DpopVerifier;
  private readonly issuerClient: IssuerClient;

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
    positive(options.jwksCooldownMs, 30_000, 'jwksCooldownMs');
    const replays = options.dpopReplayStore ?? new MemoryDpopReplayStore();
    if (typeof replays.remember !== 'function') throw new TypeError('dpopReplayStore must have remember(key, expiresAt, now)');
    this.dpop = new DpopVerifier(positive(options.dpopMaxAgeSeconds, 60, 'dpopMaxAgeSeconds'), this.now, replays);
    this.issuerClient = new IssuerClient(this.issuer, options, positive(options.timeoutMs, 5_000, 'timeoutMs'));
  }

  async verify(presented: PresentedToken, options: VerifyTokenOptions): Promise<VerifyTokenResult> {
    let jwks: RemoteKeySet;
    try {
      jwks = await this.issuerClient.keySet();
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
        claims = await verifyMlDsaToken(presented.token, jwks, claimChecks);
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
      const active = await this.issuerClient.introspect(presented.token);
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
