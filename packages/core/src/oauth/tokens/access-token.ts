import type { TokenResponse } from '@tessera/api';
import { generateKey } from '../../api-keys/key-format.js';
import { newJti } from '../jti.js';
import { verifyJws } from '../jws.js';
import { SIGNING_ALGS, type OAuthClientRecord } from '../oauth-records.js';
import type { ServerContext } from '../server-context.js';

export const ACCESS_TOKEN_PREFIX = 'tessera_at';

/** Clock skew tolerated on a token's `iat` and `nbf`. */
const SKEW_S = 30;

/** Claims of a Tessera access token (RFC 9068 §2.2). */
export interface AccessTokenClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  jti: string;
  client_id: string;
  /** The workspace of the client the token was issued to: resource servers pin it (see docs/oauth.md). */
  workspace_id: string;
  scope: string;
  cnf?: { jkt: string };
}

/** What an access token grants: to whom, what, for which audiences, and the DPoP key it is bound to. */
export interface AccessGrant {
  sub: string;
  scope: string[];
  aud: string[];
  jkt: string | undefined;
  /** The token's id, when the caller must know it before the token exists (an authorization code records it). */
  jti?: string | undefined;
}

/**
 * Issues an access token in the client's format: a JWT signed with the client's algorithm, or an
 * opaque token whose hash is stored. Answers the token endpoint's fields for it.
 */
export async function issueAccessToken(
  ctx: ServerContext,
  client: OAuthClientRecord,
  issuer: string,
  g: AccessGrant,
): Promise<TokenResponse> {
  const now = ctx.clock.now();
  const iat = Math.floor(now / 1000);
  const exp = iat + client.accessTokenTtl;
  const jti = g.jti ?? newJti();
  let token: string;
  if (client.accessTokenFormat === 'opaque') {
    token = generateKey(ACCESS_TOKEN_PREFIX);
    await ctx.store.insertOpaqueToken({
      hash: ctx.keyring.hash('access_token', token),
      jti,
      workspaceId: client.workspaceId,
      clientId: client.id,
      subject: g.sub,
      scope: g.scope,
      audience: g.aud,
      jkt: g.jkt ?? null,
      issuedAt: now,
      expiresAt: exp * 1000,
      revokedAt: null,
    });
  } else {
    const claims: AccessTokenClaims = {
      iss: issuer,
      sub: g.sub,
      aud: g.aud.length === 1 ? g.aud[0]! : g.aud,
      exp,
      iat,
      jti,
      client_id: client.id,
      workspace_id: client.workspaceId,
      scope: g.scope.join(' '),
    };
    if (g.jkt !== undefined) claims.cnf = { jkt: g.jkt };
    token = await ctx.keys.signJwt(client.signingAlg, 'at+jwt', claims as unknown as Record<string, unknown>);
  }
  return {
    access_token: token,
    token_type: g.jkt === undefined ? 'Bearer' : 'DPoP',
    expires_in: client.accessTokenTtl,
    scope: g.scope.join(' '),
  };
}

/**
 * Verifies a JWT access token of this issuer: signature by a published key (kid looked up, never
 * followed), `typ` at+jwt, `iss`, times, that its `jti` was not revoked, and — when given, as a
 * resource server must (RFC 9068 §4) — that `aud` names `audience`.
 */
export async function verifyAccessToken(
  ctx: ServerContext,
  token: string,
  issuer: string,
  audience?: string,
): Promise<AccessTokenClaims | undefined> {
  const head = token.split('.', 1)[0] ?? '';
  let kid: unknown;
  try {
    kid = (JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as Record<string, unknown>).kid;
  } catch {
    return undefined;
  }
  const keys = await ctx.keys.verificationKeys(kid);
  const outcome = await verifyJws(token, { algorithms: SIGNING_ALGS, keys, typ: 'at+jwt', mlDsa: ctx.mlDsa });
  if (!outcome.ok) return undefined;
  let c: Record<string, unknown>;
  try {
    c = JSON.parse(outcome.payload.toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (c === null || typeof c !== 'object' || Array.isArray(c)) return undefined;
  const now = ctx.clock.now() / 1000;
  if (c.iss !== issuer) return undefined;
  if (typeof c.exp !== 'number' || c.exp <= now) return undefined;
  if (typeof c.iat !== 'number' || c.iat > now + SKEW_S) return undefined;
  if (c.nbf !== undefined && (typeof c.nbf !== 'number' || c.nbf > now + SKEW_S)) return undefined;
  if (typeof c.jti !== 'string' || typeof c.client_id !== 'string' || typeof c.sub !== 'string') return undefined;
  if (typeof c.aud !== 'string' && !(Array.isArray(c.aud) && c.aud.every((a) => typeof a === 'string'))) return undefined;
  if (audience !== undefined && !(c.aud === audience || (Array.isArray(c.aud) && c.aud.includes(audience)))) return undefined;
  if (await ctx.store.isJtiRevoked(c.jti, ctx.clock.now())) return undefined;
  return c as unknown as AccessTokenClaims;
}
