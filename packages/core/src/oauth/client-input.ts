import { TesseraError } from '../errors.js';
import { SCOPE_PATTERN } from '../scopes/scope-expression.js';
import { CLIENT_ASSERTION_ALGS } from './client-auth.js';
import { checkRedirectUris, checkWebOrigins } from './authorization/redirect-uris.js';
import { keyFitsAlg } from './jws.js';
import {
  ALL_GRANT_TYPES,
  CLIENT_AUTH_METHODS,
  SIGNING_ALGS,
  type ClientAuthMethod,
  type GrantType,
  type OAuthClientRecord,
  type SigningAlg,
} from './oauth-records.js';

/** The members a client's public key may have (RFC 7517 §4, RFC 7518 §6, RFC 8037); `x5u` is never followed, so not taken. */
const JWK_PUBLIC_MEMBERS: ReadonlySet<string> = new Set([
  'kty',
  'use',
  'key_ops',
  'alg',
  'kid',
  'x5c',
  'x5t',
  'x5t#S256',
  'crv',
  'x',
  'y',
  'n',
  'e',
]);

/** Members that only a private or symmetric key has. */
const JWK_PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'priv', 'seed'];

export const CLIENT_LIMITS = {
  accessTokenTtl: { min: 30, max: 3600, default: 300 },
  refreshTokenTtl: { min: 60, max: 90 * 86_400, default: 7 * 86_400 },
  refreshGraceSeconds: { min: 0, max: 10, default: 0 },
  refreshFamilyLifetime: { min: 60, max: 365 * 86_400, default: 30 * 86_400 },
  secretGraceSeconds: { min: 0, max: 30 * 86_400 },
  secretRotationDays: { min: 1, max: 365 },
  secretRotationOverlapSeconds: { min: 0, max: 30 * 86_400, default: 7 * 86_400 },
} as const;

/** What a caller may set on a client, as the management API names it. */
export interface ClientInput {
  name?: string | undefined;
  scopes?: string[] | undefined;
  audience?: string[] | undefined;
  grantTypes?: string[] | undefined;
  redirectUris?: string[] | undefined;
  postLogoutRedirectUris?: string[] | undefined;
  webOrigins?: string[] | undefined;
  tokenEndpointAuthMethod?: string | undefined;
  jwks?: { keys: Record<string, unknown>[] } | null | undefined;
  accessTokenFormat?: 'jwt' | 'opaque' | undefined;
  signingAlg?: string | undefined;
  accessTokenTtl?: number | undefined;
  refreshTokenTtl?: number | undefined;
  refreshFamilyLifetime?: number | undefined;
  refreshGraceSeconds?: number | undefined;
  dpopBound?: boolean | undefined;
  dpopNonce?: boolean | undefined;
  requirePar?: boolean | undefined;
  /** Rotate the secret every `intervalDays`; the rotation keeps the old one `overlapSeconds`. Null: no schedule. */
  secretRotation?: { intervalDays: number; overlapSeconds?: number | undefined } | null | undefined;
}

const bad = (m: string) => new TesseraError('VALIDATION_FAILED', m);

/** Turns caller input into record fields, refusing what is not allowed. */
export function clientFields(input: ClientInput): Partial<OAuthClientRecord> {
  const out: Partial<OAuthClientRecord> = {};
  if (input.name !== undefined) out.name = input.name;
  if (input.scopes !== undefined) {
    for (const s of input.scopes) if (!SCOPE_PATTERN.test(s)) throw bad(`invalid scope "${s.slice(0, 64)}"`);
    out.scopes = [...new Set(input.scopes)];
  }
  if (input.audience !== undefined) {
    for (const a of input.audience)
      if (a.length === 0 || a.length > 512 || /\s/.test(a)) throw bad('each audience must be 1 to 512 characters without spaces');
    out.audience = [...new Set(input.audience)];
  }
  if (input.grantTypes !== undefined) {
    if (input.grantTypes.length === 0) throw bad('grantTypes must name at least one grant');
    for (const g of input.grantTypes)
      if (!(ALL_GRANT_TYPES as readonly string[]).includes(g)) throw bad(`unsupported grant type "${g.slice(0, 80)}"`);
    out.grantTypes = [...new Set(input.grantTypes)] as GrantType[];
  }
  if (input.redirectUris !== undefined) out.redirectUris = checkRedirectUris(input.redirectUris);
  if (input.postLogoutRedirectUris !== undefined) out.postLogoutRedirectUris = checkRedirectUris(input.postLogoutRedirectUris);
  if (input.webOrigins !== undefined) out.webOrigins = checkWebOrigins(input.webOrigins);
  if (input.tokenEndpointAuthMethod !== undefined) {
    if (!(CLIENT_AUTH_METHODS as readonly string[]).includes(input.tokenEndpointAuthMethod))
      throw bad(`unsupported tokenEndpointAuthMethod`);
    out.authMethod = input.tokenEndpointAuthMethod as ClientAuthMethod;
  }
  if (input.jwks !== undefined) {
    if (input.jwks !== null) checkPublicKeys(input.jwks.keys);
    out.jwks = input.jwks;
  }
  if (input.accessTokenFormat !== undefined) out.accessTokenFormat = input.accessTokenFormat;
  if (input.signingAlg !== undefined) {
    if (!(SIGNING_ALGS as readonly string[]).includes(input.signingAlg)) throw bad(`signingAlg must be one of ${SIGNING_ALGS.join(', ')}`);
    out.signingAlg = input.signingAlg as SigningAlg;
  }
  const int = (name: keyof typeof CLIENT_LIMITS & keyof ClientInput, v: number | undefined) => {
    if (v === undefined) return;
    const l = CLIENT_LIMITS[name];
    if (!Number.isInteger(v) || v < l.min || v > l.max) throw bad(`${name} must be an integer from ${l.min} to ${l.max}`);
    (out as Record<string, number>)[name] = v;
  };
  int('accessTokenTtl', input.accessTokenTtl);
  int('refreshTokenTtl', input.refreshTokenTtl);
  int('refreshGraceSeconds', input.refreshGraceSeconds);
  int('refreshFamilyLifetime', input.refreshFamilyLifetime);
  if (input.dpopBound !== undefined) out.dpopBound = input.dpopBound;
  if (input.dpopNonce !== undefined) out.dpopNonce = input.dpopNonce;
  if (input.requirePar !== undefined) out.requirePar = input.requirePar;
  if (input.secretRotation !== undefined) Object.assign(out, scheduleFields(input.secretRotation));
  return out;
}

/** A secret-rotation schedule: an interval in days and an overlap shorter than it. */
function scheduleFields(s: ClientInput['secretRotation']): Partial<OAuthClientRecord> {
  if (s === null || s === undefined) return { secretRotationDays: null, secretRotationOverlapSeconds: null };
  const d = CLIENT_LIMITS.secretRotationDays;
  const o = CLIENT_LIMITS.secretRotationOverlapSeconds;
  if (!Number.isInteger(s.intervalDays) || s.intervalDays < d.min || s.intervalDays > d.max)
    throw bad(`secretRotation.intervalDays must be an integer from ${d.min} to ${d.max}`);
  const overlap = s.overlapSeconds ?? Math.min(o.default, (s.intervalDays * 86_400) / 2);
  if (!Number.isInteger(overlap) || overlap < o.min || overlap > o.max)
    throw bad(`secretRotation.overlapSeconds must be an integer from ${o.min} to ${o.max}`);
  if (overlap >= s.intervalDays * 86_400) throw bad('secretRotation.overlapSeconds must be shorter than the interval');
  return { secretRotationDays: s.intervalDays, secretRotationOverlapSeconds: overlap };
}

/** A client's `private_key_jwt` keys: 1 to 10 public keys, each fit for an assertion algorithm. */
function checkPublicKeys(keys: Record<string, unknown>[]): void {
  if (!Array.isArray(keys) || keys.length === 0 || keys.length > 10) throw bad('jwks must hold 1 to 10 keys');
  for (const k of keys) {
    if (JWK_PRIVATE_MEMBERS.some((m) => k[m] !== undefined)) throw bad('jwks must hold public keys only');
    const other = Object.keys(k).find((m) => !JWK_PUBLIC_MEMBERS.has(m));
    if (other !== undefined) throw bad(`jwks: "${other.slice(0, 32)}" is not a public key member of RFC 7517 or RFC 7518`);
    if (!CLIENT_ASSERTION_ALGS.some((alg) => keyFitsAlg(k, alg))) throw bad(`each key must fit one of ${CLIENT_ASSERTION_ALGS.join(', ')}`);
    if (k.kid !== undefined && (typeof k.kid !== 'string' || k.kid.length > 256))
      throw bad('kid must be a string of at most 256 characters');
  }
}

/** Grants a public client (`none`) may use: it cannot authenticate, so none that stands on the client alone. */
const PUBLIC_CLIENT_GRANTS: readonly GrantType[] = ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'];

/** What no single field says: a `private_key_jwt` client needs keys; a public client acts for users only. */
export function checkCoherent(c: OAuthClientRecord): void {
  if (c.grantTypes.includes('authorization_code') && c.redirectUris.length === 0)
    throw bad('the authorization_code grant needs at least one redirect URI in redirectUris');
  if (c.authMethod === 'none' && c.grantTypes.some((g) => !PUBLIC_CLIENT_GRANTS.includes(g)))
    throw bad('a public client (tokenEndpointAuthMethod none) may use only authorization_code, refresh_token and the device code grant');
  if (c.requirePar && !c.grantTypes.includes('authorization_code'))
    throw bad('requirePar applies to the authorization_code grant, which this client does not have');
  if (c.authMethod === 'none' && c.secretRotationDays !== null)
    throw bad('a public client has no secret to rotate: set secretRotation to null');
  if (c.authMethod === 'private_key_jwt' && (c.jwks === null || c.jwks.keys.length === 0)) {
    throw bad('private_key_jwt needs jwks with the public keys of the client');
  }
  if (c.authMethod === 'private_key_jwt' && c.secretRotationDays !== null) {
    throw bad('a private_key_jwt client has no secret to rotate: set secretRotation to null');
  }
}
