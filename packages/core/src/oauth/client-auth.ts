import { hash } from 'node:crypto';
import type { Clock } from '../clock.js';
import { isId } from '../ids.js';
import type { Keyring } from '../custody/envelope-keyring.js';
import { safeEqual } from '../custody/safe-equal.js';
import type { OAuthClientRepos } from './client-repos.js';
import { decodeB64url, verifyJws } from './jws.js';
import { OAuthError } from './oauth-error.js';
import type { ClientAuthMethod, ClientSecretRecord, OAuthClientRecord } from './oauth-records.js';
import type { OnceRepos } from './once-repos.js';
import { param, type TokenRequest } from './token-request.js';

export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** Algorithms a client may sign its `private_key_jwt` assertions with. */
export const CLIENT_ASSERTION_ALGS = ['EdDSA', 'Ed25519', 'ES256', 'PS256', 'RS256'] as const;

/** Clock skew tolerated on assertion times, and the longest an assertion may live. */
const SKEW_MS = 30_000;
const MAX_ASSERTION_LIFETIME_MS = 10 * 60_000;

/** What client authentication reads: the client, its live secrets, and the one-time `jti` memory. */
export type ClientRepos = Pick<OAuthClientRepos, 'getClient' | 'listLiveClientSecrets'> & OnceRepos;

/**
 * Secrets that authenticated a client before, by SHA-256 digest, so a client that presents the
 * same secret again costs one fast hash instead of the keyed one. Only a live secret record counts.
 */
export interface SecretMemory {
  /** Whether `digest` is that of a secret that authenticated `clientId` and is still live; constant-time. */
  recall(clientId: string, digest: Buffer, now: number): boolean;
  remember(clientId: string, digest: Buffer, secret: ClientSecretRecord): void;
}

export interface ClientAuthDeps {
  repos: ClientRepos;
  keyring: Keyring;
  clock: Clock;
  memory?: SecretMemory | undefined;
}

const failed = () => new OAuthError('invalid_client', 'Client authentication failed.');

/**
 * Authenticates the client of a request to the token, introspection or revocation endpoint
 * (RFC 6749 §2.3, RFC 7523 §2.2 and §3). Exactly one method may be used, and it must be the one
 * the client registered. Every failure reads the same: `invalid_client`, nothing more.
 */
export async function authenticateClient(
  req: TokenRequest,
  audiences: readonly string[],
  deps: ClientAuthDeps,
): Promise<OAuthClientRecord> {
  const basic = req.authorization !== undefined && /^basic /i.test(req.authorization);
  const post = param(req, 'client_secret') !== undefined;
  const jwt = param(req, 'client_assertion') !== undefined || param(req, 'client_assertion_type') !== undefined;
  if ([basic, post, jwt].filter(Boolean).length > 1)
    throw new OAuthError('invalid_request', 'Use exactly one client authentication method.');
  if (req.authorization !== undefined && !basic)
    throw new OAuthError('invalid_client', 'Only the Basic scheme authenticates clients here.');

  let method: ClientAuthMethod;
  let clientId: string | undefined;
  let secret: string | undefined;
  if (basic) {
    method = 'client_secret_basic';
    const creds = parseBasic(req.authorization!);
    if (creds === undefined) throw failed();
    [clientId, secret] = creds;
    const bodyId = param(req, 'client_id');
    if (bodyId !== undefined && bodyId !== clientId)
      throw new OAuthError('invalid_request', 'client_id does not match the Authorization header.');
  } else if (post) {
    method = 'client_secret_post';
    clientId = param(req, 'client_id');
    secret = param(req, 'client_secret');
  } else if (jwt) {
    method = 'private_key_jwt';
    return authenticateAssertion(req, audiences, deps);
  } else if (param(req, 'client_id') !== undefined) {
    return authenticatePublicClient(param(req, 'client_id')!, deps);
  } else {
    throw new OAuthError('invalid_client', 'Client authentication is required.');
  }
  if (clientId === undefined || secret === undefined || !isId('oauthClient', clientId) || secret.length > 256) throw failed();
  const client = await deps.repos.getClient(clientId);
  if (client === undefined || client.deletedAt !== null || client.authMethod !== method) throw failed();
  const now = deps.clock.now();
  const digest = deps.memory === undefined ? undefined : hash('sha256', secret, 'buffer');
  if (digest !== undefined && deps.memory!.recall(client.id, digest, now)) return client;
  const secrets = await deps.repos.listLiveClientSecrets(client.id, now);
  let matched: ClientSecretRecord | undefined;
  for (const s of secrets) if (safeEqual(deps.keyring.hash('client_secret', secret, s.pepperVersion), s.hash)) matched = s; // every one, so time says nothing
  if (matched === undefined) throw failed();
  if (digest !== undefined) deps.memory!.remember(client.id, digest, matched);
  return client;
}

/**
 * A public client names itself with `client_id` alone (RFC 6749 §2.1, §3.2.1): only a client
 * registered with `none` may, and what it may do is bound by PKCE and its grants, not by a secret.
 */
async function authenticatePublicClient(clientId: string, deps: ClientAuthDeps): Promise<OAuthClientRecord> {
  if (!isId('oauthClient', clientId)) throw failed();
  const client = await deps.repos.getClient(clientId);
  if (client === undefined || client.deletedAt !== null || client.authMethod !== 'none') throw failed();
  return client;
}

/**
 * The client id a request names — in the Basic header, `client_id`, or an assertion's `sub` —
 * when it is a well-formed client id (nothing else of what the request sent), else null.
 */
export function claimedClientId(req: TokenRequest): string | null {
  let id: string | undefined;
  if (req.authorization !== undefined && /^basic /i.test(req.authorization)) id = parseBasic(req.authorization)?.[0];
  id ??= param(req, 'client_id');
  const assertion = param(req, 'client_assertion');
  if (id === undefined && assertion !== undefined) {
    try {
      const claims = JSON.parse(Buffer.from(assertion.split('.')[1] ?? '', 'base64url').toString('utf8')) as { sub?: unknown };
      if (typeof claims.sub === 'string') id = claims.sub;
    } catch {
      // not a JWT: no id
    }
  }
  return id !== undefined && isId('oauthClient', id) ? id : null;
}

/** `Basic base64(urlencode(id) ":" urlencode(secret))` (RFC 6749 §2.3.1). */
function parseBasic(header: string): [string, string] | undefined {
  const b64 = header.slice(6).trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length > 2048) return undefined;
  const text = Buffer.from(b64, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 1) return undefined;
  try {
    return [formDecode(text.slice(0, colon)), formDecode(text.slice(colon + 1))];
  } catch {
    return undefined;
  }
}

/** application/x-www-form-urlencoded decoding of one value; Tessera's own ids and secrets need none. */
function formDecode(value: string): string {
  return value.includes('%') || value.includes('+') ? decodeURIComponent(value.replace(/\+/g, ' ')) : value;
}

/** `private_key_jwt`: a JWT the client signed with a key it registered (RFC 7523 §3). */
async function authenticateAssertion(
  req: TokenRequest,
  audiences: readonly string[],
  deps: Omit<ClientAuthDeps, 'memory'>,
): Promise<OAuthClientRecord> {
  if (param(req, 'client_assertion_type') !== JWT_BEARER_ASSERTION)
    throw new OAuthError('invalid_request', `client_assertion_type must be ${JWT_BEARER_ASSERTION}.`);
  const assertion = param(req, 'client_assertion');
  if (assertion === undefined) throw new OAuthError('invalid_request', 'client_assertion is missing.');
  // The client is named by `sub` (= `iss`); read it before the signature only to find the keys.
  const parts = assertion.split('.');
  const payload = parts.length === 3 ? decodeB64url(parts[1]!) : undefined;
  let claims: Record<string, unknown>;
  try {
    claims = payload === undefined ? {} : (JSON.parse(payload.toString('utf8')) as Record<string, unknown>);
  } catch {
    throw failed();
  }
  if (claims === null || typeof claims !== 'object') throw failed();
  const clientId = claims.sub;
  if (typeof clientId !== 'string' || !isId('oauthClient', clientId) || claims.iss !== clientId) throw failed();
  const bodyId = param(req, 'client_id');
  if (bodyId !== undefined && bodyId !== clientId) throw failed();
  const client = await deps.repos.getClient(clientId);
  if (client === undefined || client.deletedAt !== null || client.authMethod !== 'private_key_jwt' || client.jwks === null) throw failed();
  const outcome = await verifyJws(assertion, { algorithms: CLIENT_ASSERTION_ALGS, keys: client.jwks.keys, allowMissingKid: true });
  if (!outcome.ok) throw failed();
  const now = deps.clock.now();
  const { aud, exp, nbf, iat, jti } = claims;
  const auds = Array.isArray(aud) ? aud : [aud];
  if (!auds.some((a) => typeof a === 'string' && audiences.includes(a))) throw failed();
  if (typeof exp !== 'number' || exp * 1000 <= now - SKEW_MS || exp * 1000 > now + MAX_ASSERTION_LIFETIME_MS) throw failed();
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf * 1000 > now + SKEW_MS)) throw failed();
  if (iat !== undefined && (typeof iat !== 'number' || iat * 1000 > now + SKEW_MS)) throw failed();
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > 256) throw failed();
  // RFC 7523 §3 point 7: one use per jti, remembered until the assertion expires.
  if (!(await deps.repos.rememberOnce(`pkjwt:${client.id}:${jti}`, exp * 1000 + SKEW_MS, now))) throw failed();
  return client;
}
