import { rateLimitHeaders } from '@tessera/api';
import { Tessera, type TesseraOptions } from '../client/tessera.js';
import type { AccessTokenAlgorithm, AccessTokenIdentity, AccessTokenVerifierOptions } from '../jwt/access-token-types.js';
import { AccessTokenVerifier } from '../jwt/access-token-verifier.js';
import type { VerifyKeyResult } from '../verify/key-verifier.js';

/** Options shared by the Fastify, Express and Hono middleware. */
export interface GuardOptions extends Partial<TesseraOptions> {
  /** For `requireAccessToken`: the issuer; Tessera's base URL when absent. */
  issuer?: string | undefined;
  /** For `requireAccessToken`: the signature algorithms to accept, explicitly. */
  algorithms?: readonly AccessTokenAlgorithm[] | undefined;
  /** More options of the access-token verifier (JWKS, DPoP, introspection credentials). */
  tokens?: Omit<AccessTokenVerifierOptions, 'issuer' | 'algorithms'> | undefined;
  /** The realm in `WWW-Authenticate`. Default `api`. */
  realm?: string | undefined;
  /**
   * The public URL of this API as its clients call it (`https://api.example.com`, a path prefix
   * allowed): DPoP proofs' `htu` must name it. Never taken from the request's Host header, which the
   * caller chooses; without it, DPoP-bound tokens are refused.
   */
  publicUrl?: string | undefined;
  /** A ready client to use instead of one made from these options. */
  client?: Tessera | undefined;
}

export interface RequireApiKeyOptions {
  /** A scope or a scope expression the key must satisfy (`orders:read and orders:write`). */
  scopes?: string | readonly string[] | undefined;
  /** Credits each request spends (default 1); `0` checks without spending. */
  cost?: number | undefined;
  /** Only keys of this keyspace pass (`ks_…`); others get 401 `NOT_FOUND`, like an unknown key. */
  keyspaceId?: string | undefined;
  /** Only keys of this environment pass (`production`); others, and keys with none, get 401 `NOT_FOUND`. */
  environment?: string | undefined;
  /** Where the key is: `authorization` (Bearer), or a header name such as `x-api-key`. Default: both, Authorization first. */
  header?: string | undefined;
}

export interface RequireAccessTokenOptions {
  /** The audience this API is: the token's `aud` must name it. */
  audience: string | readonly string[];
  /** Scopes the token must all hold. */
  scopes?: string | readonly string[] | undefined;
  /** Also ask the server (RFC 7662) so a revoked token is refused at once; needs `tokens.introspection`. */
  introspect?: boolean | undefined;
}

/** The verified caller a middleware adds to the request as `tessera`. */
export type ApiKeyIdentity = { kind: 'api_key' } & Extract<VerifyKeyResult, { valid: boolean }> & { keyId: string };
export type Identity = ApiKeyIdentity | AccessTokenIdentity;

/** What a framework adapter reads from its request. */
export interface RequestView {
  header(name: string): string | string[] | undefined;
  method: string;
  /** Path and query as received. */
  url: string;
  ip: string | undefined;
  protocol: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
}

export type Decision =
  | { ok: true; identity: Identity; headers: Record<string, string> }
  | { ok: false; status: number; headers: Record<string, string>; body: Problem };

const TITLES: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden', 429: 'Too Many Requests', 503: 'Service Unavailable' };

function deny(status: number, code: string, detail: string, headers: Record<string, string> = {}): Decision {
  const body = {
    type: `urn:tessera:error:${code.toLowerCase().replaceAll('_', '-')}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    code,
  };
  return { ok: false, status, headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store', ...headers }, body };
}

const quoted = (s: string) => `"${s.replace(/["\\]/g, '\\$&')}"`;

/**
 * The framework-neutral part of the middleware: option checks at creation, credential
 * extraction, and the mapping of outcomes to 401/403/429/503 with their headers.
 */
export class Guard {
  readonly client: Tessera;
  private readonly realm: string;
  private readonly publicUrl: string | undefined;
  private tokenVerifier: AccessTokenVerifier | undefined;
  private readonly options: GuardOptions;

  constructor(options: GuardOptions) {
    if (options === null || typeof options !== 'object')
      throw new TypeError('options are required: { baseUrl, rootKey } for API keys, { issuer or baseUrl, algorithms } for access tokens');
    this.options = options;
    this.realm = options.realm ?? 'api';
    if (!/^[\x20-\x7e]*$/.test(this.realm)) throw new TypeError('realm must be printable ASCII');
    this.publicUrl = options.publicUrl === undefined ? undefined : checkPublicUrl(options.publicUrl);
    if (options.client !== undefined) this.client = options.client;
    else {
      if (typeof options.baseUrl !== 'string') throw new TypeError('baseUrl (where Tessera listens) is required');
      this.client = new Tessera(options as TesseraOptions);
    }
  }

  apiKeyChecker(o: RequireApiKeyOptions = {}): (req: RequestView) => Promise<Decision> {
    if (this.options.client === undefined && typeof this.options.rootKey !== 'string')
      throw new TypeError('requireApiKey needs a root key with the keys:verify permission (rootKey)');
    const scopes = typeof o.scopes === 'string' ? o.scopes : o.scopes === undefined ? undefined : o.scopes.join(' and ');
    if (scopes !== undefined && scopes.trim() === '') throw new TypeError('scopes must not be empty');
    if (o.cost !== undefined && (!Number.isInteger(o.cost) || o.cost < 0)) throw new TypeError('cost must be an integer ≥ 0');
    for (const [name, value] of [
      ['keyspaceId', o.keyspaceId],
      ['environment', o.environment],
    ] as const) {
      if (value !== undefined && (typeof value !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(value)))
        throw new TypeError(`${name} must be a keyspace id or an environment name (letters, digits, _ . -)`);
    }
    const header = o.header?.toLowerCase();
    if (header !== undefined && !/^[a-z0-9-]+$/.test(header)) throw new TypeError('header must be a header name');
    const challenge = `Bearer realm=${quoted(this.realm)}`;
    return async (req) => {
      const key = readKey(req, header);
      if (key === undefined) return deny(401, 'UNAUTHORIZED', 'An API key is required.', { 'www-authenticate': challenge });
      const { result, error } = await this.client.verifyKey(key, {
        scopes,
        keyspaceId: o.keyspaceId,
        environment: o.environment,
        ip: req.ip,
        cost: o.cost,
      });
      if (error !== undefined)
        return deny(503, 'VERIFIER_UNAVAILABLE', 'The key cannot be checked right now; try again shortly.', { 'retry-after': '1' });
      const limits = rateLimitHeaders(
        (result.ratelimits ?? []).map((l) => ({ ...l, reset: Date.parse(l.reset) })),
        Date.now(),
      );
      if (result.valid) return { ok: true, identity: { kind: 'api_key', ...result } as ApiKeyIdentity, headers: limits.headers };
      switch (result.code) {
        case 'INSUFFICIENT_SCOPE':
          return deny(403, result.code, 'The key lacks a scope this route needs.', {
            'www-authenticate': `${challenge}, error="insufficient_scope"${scopes === undefined ? '' : `, scope=${quoted(scopes)}`}`,
          });
        case 'IP_NOT_ALLOWED':
          return deny(403, result.code, 'The key may not be used from this address.');
        case 'RATE_LIMITED':
          return deny(429, result.code, 'The rate limit of this key is reached.', {
            ...limits.headers,
            'retry-after': String(limits.retryAfter ?? 1),
          });
        case 'USAGE_EXCEEDED':
          return deny(429, result.code, 'The key has no credits left.', limits.headers);
        default: // MALFORMED, NOT_FOUND, EXPIRED, REVOKED, DISABLED
          return deny(401, result.code, 'The API key is not valid.', { 'www-authenticate': `${challenge}, error="invalid_token"` });
      }
    };
  }

  tokenChecker(o: RequireAccessTokenOptions): (req: RequestView) => Promise<Decision> {
    if (o === null || typeof o !== 'object') throw new TypeError('requireAccessToken needs { audience }');
    const audience = o.audience;
    if (
      !(typeof audience === 'string'
        ? audience !== ''
        : Array.isArray(audience) && audience.length > 0 && audience.every((a) => typeof a === 'string' && a !== ''))
    ) {
      throw new TypeError('audience must name this API (a string or a non-empty list)');
    }
    const scopes = typeof o.scopes === 'string' ? o.scopes.split(' ').filter(Boolean) : o.scopes === undefined ? [] : [...o.scopes];
    if (o.introspect === true && this.options.tokens?.introspection === undefined)
      throw new TypeError('introspect needs tokens.introspection (client credentials)');
    const verifier = this.verifier();
    const challenges = (error?: string, description?: string, scope?: boolean) => {
      const params = [
        `realm=${quoted(this.realm)}`,
        ...(error ? [`error=${quoted(error)}`] : []),
        ...(description ? [`error_description=${quoted(description)}`] : []),
        ...(scope && scopes.length > 0 ? [`scope=${quoted(scopes.join(' '))}`] : []),
      ].join(', ');
      // Both schemes are offered (RFC 9449 §7.1); the DPoP one names the proof algorithms.
      return `Bearer ${params}, DPoP ${params}, algs=${quoted('ES256 EdDSA RS256 PS256')}`;
    };
    return async (req) => {
      const auth = single(req.header('authorization'));
      const m = auth === undefined ? null : /^(Bearer|DPoP) +([A-Za-z0-9\-._~+/]+=*)$/i.exec(auth);
      if (m === null) return deny(401, 'UNAUTHORIZED', 'An access token is required.', { 'www-authenticate': challenges() });
      const scheme = m[1]!.toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer';
      const r = await verifier.verify(
        { token: m[2]!, scheme, method: req.method, url: this.requestUrl(req), dpop: req.header('dpop') },
        { audience, scopes, introspect: o.introspect },
      );
      if (r.valid) return { ok: true, identity: r.identity, headers: {} };
      if (r.code === 'temporarily_unavailable')
        return deny(503, 'VERIFIER_UNAVAILABLE', 'The token cannot be checked right now; try again shortly.', { 'retry-after': '1' });
      if (r.code === 'insufficient_scope')
        return deny(403, 'INSUFFICIENT_SCOPE', 'The token lacks a scope this route needs.', {
          'www-authenticate': challenges('insufficient_scope', r.description, true),
        });
      return deny(401, r.code.toUpperCase(), 'The access token is not valid.', { 'www-authenticate': challenges(r.code, r.description) });
    };
  }

  private verifier(): AccessTokenVerifier {
    if (this.tokenVerifier !== undefined) return this.tokenVerifier;
    const issuer = this.options.issuer ?? this.options.baseUrl;
    if (issuer === undefined) throw new TypeError('requireAccessToken needs issuer (or baseUrl)');
    if (this.options.algorithms === undefined)
      throw new TypeError('requireAccessToken needs algorithms: the explicit list of signature algorithms to accept, e.g. ["EdDSA"]');
    this.tokenVerifier = new AccessTokenVerifier({ ...this.options.tokens, issuer, algorithms: this.options.algorithms });
    return this.tokenVerifier;
  }

  /** The URL a DPoP proof must name: the configured public URL and the path; none without it. */
  private requestUrl(req: RequestView): string | undefined {
    if (this.publicUrl === undefined) return undefined;
    return this.publicUrl + req.url.split('?')[0]!;
  }
}

function checkPublicUrl(value: unknown): string {
  let u: URL | undefined;
  try {
    u = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    u = undefined;
  }
  if (
    u === undefined ||
    (u.protocol !== 'https:' && u.protocol !== 'http:') ||
    u.search !== '' ||
    u.hash !== '' ||
    u.username !== '' ||
    u.password !== ''
  )
    throw new TypeError('publicUrl must be the http(s) URL of this API, without query, fragment or credentials');
  return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
}

function single(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? (v.length === 1 ? v[0] : undefined) : v;
}

function readKey(req: RequestView, header: string | undefined): string | undefined {
  if (header === undefined || header === 'authorization') {
    const auth = single(req.header('authorization'));
    if (auth !== undefined) {
      const m = /^Bearer +(\S+)$/i.exec(auth);
      return m === null ? '' : m[1];
    }
    if (header === 'authorization') return undefined;
  }
  const value = single(req.header(header ?? 'x-api-key'));
  return value === undefined ? undefined : value.trim();
}
