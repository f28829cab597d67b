import { isIP } from 'node:net';
import { rateLimitHeaders, type ErrorCode } from '@tessera/api';
import { TesseraError, type VerifyResult } from '@tessera/core';
import type { FastifyRequest } from 'fastify';

/**
 * How the forward-auth endpoint reads what a gateway forwards (the client's key, address, and the
 * original method and URI) and answers it: a status and headers, the body at most a small problem.
 */

export interface GatewayAnswer {
  status: 200 | 401 | 403 | 429;
  headers: Record<string, string>;
  /** For a refusal: the problem's code and detail. */
  code?: ErrorCode;
  detail?: string;
}

const REALM = 'Bearer realm="api"';
const quoted = (s: string) => `"${s.replace(/[\\"]/g, '\\$&')}"`;

const single = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? undefined : v);

/** The client's key from the keyspace's key header; '' when the header is there but holds no key. */
export function clientKey(request: FastifyRequest, keyHeader: string): string | undefined {
  const value = single(request.headers[keyHeader]);
  if (value === undefined) return undefined;
  if (keyHeader !== 'authorization') return value.trim();
  const m = /^Bearer +(\S+) *$/i.exec(value);
  return m === null ? '' : m[1];
}

/**
 * The address of the end client, as the authenticated gateway saw it: the last entry of
 * `X-Forwarded-For` (the one the gateway added). Undefined when there is none, so a key with an
 * IP allowlist is refused rather than checked against the gateway's own address.
 */
export function clientAddress(request: FastifyRequest): string | undefined {
  const xff = single(request.headers['x-forwarded-for']);
  if (xff === undefined) return undefined;
  const last = xff.slice(xff.lastIndexOf(',') + 1).trim();
  const bare = last.startsWith('[') && last.endsWith(']') ? last.slice(1, -1) : last;
  return isIP(bare) === 0 ? undefined : bare;
}

/**
 * The original method and URI: `X-Forwarded-Method`/`X-Forwarded-Uri` (Caddy, Traefik) or
 * `X-Original-Method`/`X-Original-URI` (NGINX). Both kinds at once must agree: a client can send
 * the one its gateway does not set, and it must not choose the path that is checked.
 */
export function originalRequest(request: FastifyRequest): { method: string; uri: string } {
  const h = request.headers;
  const pick = (a: string, b: string, what: string) => {
    const [x, y] = [single(h[a]), single(h[b])];
    if (x !== undefined && y !== undefined && x !== y)
      throw new TesseraError('VALIDATION_FAILED', `${what}: the gateway must set one of ${a} and ${b} and remove the other.`);
    return x ?? y;
  };
  const method = pick('x-forwarded-method', 'x-original-method', 'The original method is ambiguous');
  const uri = pick('x-forwarded-uri', 'x-original-uri', 'The original URI is ambiguous');
  if (method === undefined || uri === undefined || !/^[A-Za-z]{1,16}$/.test(method) || uri.length > 8192)
    throw new TesseraError(
      'VALIDATION_FAILED',
      'The gateway sent no original request: set X-Forwarded-Method and X-Forwarded-Uri, or X-Original-Method and X-Original-URI.',
    );
  return { method: method.toUpperCase(), uri };
}

/**
 * Every identity header, empty unless it applies: a gateway that copies them then sets each one on
 * the upstream request (Caddy 2.6's copy_headers would pass its own placeholder for one missing).
 */
const NO_IDENTITY: Readonly<Record<string, string>> = {
  'tessera-key-id': '',
  'tessera-keyspace-id': '',
  'tessera-owner-id': '',
  'tessera-scopes': '',
  'tessera-ratelimit-remaining': '',
  'tessera-credits-remaining': '',
  'tessera-subject': '',
  'tessera-client-id': '',
};

/** The identity a passing request carries to the upstream, as headers. */
function identityHeaders(r: VerifyResult): Record<string, string> {
  const out: Record<string, string> = {
    ...NO_IDENTITY,
    'tessera-key-id': r.keyId ?? '',
    'tessera-keyspace-id': r.keyspaceId ?? '',
    'tessera-owner-id': r.ownerId ?? '',
    'tessera-scopes': (r.scopes ?? []).join(' '),
  };
  const remaining = r.ratelimits?.map((l) => Math.max(0, l.remaining));
  if (remaining !== undefined && remaining.length > 0) out['tessera-ratelimit-remaining'] = String(Math.min(...remaining));
  if (r.credits != null) out['tessera-credits-remaining'] = String(r.credits.remaining);
  return out;
}

/** A verification's outcome as the gateway's answer (the same statuses the SDK's middleware gives). */
export function gatewayAnswer(r: VerifyResult, required: string | undefined, now: number): GatewayAnswer {
  const limits = rateLimitHeaders(r.ratelimits ?? [], now);
  if (r.valid) return { status: 200, headers: { ...identityHeaders(r), ...limits.headers } };
  switch (r.code) {
    case 'INSUFFICIENT_SCOPE':
      return refusal(403, 'FORBIDDEN', 'The key lacks a scope this route needs.', {
        'www-authenticate': `${REALM}, error="insufficient_scope"${required === undefined ? '' : `, scope=${quoted(required)}`}`,
      });
    case 'IP_NOT_ALLOWED':
      return refusal(403, 'FORBIDDEN', 'The key may not be used from this address.', {});
    case 'RATE_LIMITED':
      return refusal(429, 'RATE_LIMITED', 'The rate limit of this key is reached.', {
        ...limits.headers,
        'retry-after': String(limits.retryAfter ?? 1),
      });
    case 'USAGE_EXCEEDED':
      return refusal(429, 'RATE_LIMITED', 'The key has no credits left.', limits.headers);
    default: // MALFORMED, NOT_FOUND, EXPIRED, REVOKED, DISABLED: one answer, no oracle
      return refusal(401, 'UNAUTHORIZED', 'The API key is not valid.', { 'www-authenticate': `${REALM}, error="invalid_token"` });
  }
}

/** A JWS compact serialization, which no API key is: three base64url parts. */
const JWS = /^(Bearer|DPoP) +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/i;

/** The access token in `Authorization`, with its scheme; undefined when it holds none (an API key, say). */
export function accessToken(request: FastifyRequest): { scheme: 'bearer' | 'dpop'; token: string } | undefined {
  const m = JWS.exec(single(request.headers.authorization) ?? '');
  return m === null ? undefined : { scheme: m[1]!.toLowerCase() as 'bearer' | 'dpop', token: m[2]! };
}

/** What a verified access token may pass with, for `tokenAnswer`. */
export interface TokenGrant {
  sub: string;
  clientId: string;
  scopes: string[];
}

/**
 * The URL the client asked for, as a DPoP proof names it (`htu`): the scheme and host the gateway
 * forwards (`X-Forwarded-Proto`, `X-Forwarded-Host`; Envoy's own `Host`), and the original path.
 */
export function originalUrl(request: FastifyRequest, uri: string, envoy: boolean): string | undefined {
  const proto = single(request.headers['x-forwarded-proto']);
  const host = envoy ? request.headers.host : single(request.headers['x-forwarded-host']);
  if ((proto !== 'http' && proto !== 'https') || host === undefined || !/^[A-Za-z0-9.:[\]-]+$/.test(host)) return undefined;
  return `${proto}://${host}${uri}`;
}

const DPOP_CHALLENGE = `DPoP realm="api", algs="EdDSA ES256 PS256 RS256"`;

/**
 * An access token's outcome: 401 unless it is a live token of this issuer, audience and workspace,
 * presented as its binding says (Bearer, or DPoP with a good proof); 403 without the scopes.
 */
export function tokenAnswer(
  grant: TokenGrant | undefined,
  proof: 'none' | 'good' | 'bad',
  allowed: boolean,
  required: string | undefined,
): GatewayAnswer {
  if (proof === 'bad')
    return refusal(401, 'UNAUTHORIZED', 'The DPoP proof is not valid for this request and token.', {
      'www-authenticate': `${DPOP_CHALLENGE}, error="invalid_dpop_proof"`,
    });
  if (grant === undefined)
    return refusal(401, 'UNAUTHORIZED', 'The access token is not valid.', { 'www-authenticate': `${REALM}, error="invalid_token"` });
  if (!allowed)
    return refusal(403, 'FORBIDDEN', 'The access token lacks a scope this route needs.', {
      'www-authenticate': `${proof === 'good' ? DPOP_CHALLENGE : REALM}, error="insufficient_scope"${required === undefined ? '' : `, scope=${quoted(required)}`}`,
    });
  return {
    status: 200,
    headers: {
      ...NO_IDENTITY,
      'tessera-subject': grant.sub,
      'tessera-client-id': grant.clientId,
      'tessera-scopes': grant.scopes.join(' '),
    },
  };
}

/** No key at all: a challenge without an error code (RFC 6750 §3.1). */
export const NO_KEY: GatewayAnswer = refusal(401, 'UNAUTHORIZED', 'An API key is required.', { 'www-authenticate': REALM });

/** No route rule covers the request: refused whatever the key, and nothing is spent. */
export const NO_RULE: GatewayAnswer = refusal(403, 'FORBIDDEN', 'No route rule allows this request.', {
  'www-authenticate': `${REALM}, error="insufficient_scope"`,
});

function refusal(status: 401 | 403 | 429, code: ErrorCode, detail: string, headers: Record<string, string>): GatewayAnswer {
  return { status, code, detail, headers };
}
