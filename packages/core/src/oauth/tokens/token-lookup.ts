import { parseKey, type IntrospectionResponse } from '@tessera/api';
import type { ServerContext } from '../server-context.js';
import { ACCESS_TOKEN_PREFIX, verifyAccessToken } from './access-token.js';
import { findRefreshToken, REFRESH_TOKEN_PREFIX } from './token-families.js';

/** What introspection tells of a live token (RFC 7662 §2.2), `active` aside. */
export type TokenDescription = Omit<IntrospectionResponse, 'active'>;

/** A live token, found: what it is, whose, what revokes it, and how introspection describes it. */
export type FoundToken =
  | { kind: 'jwt'; clientId: string; jti: string; exp: number; describe: TokenDescription }
  | { kind: 'opaque'; clientId: string; hash: string; describe: TokenDescription }
  | { kind: 'refresh_token'; clientId: string; familyId: string; describe: TokenDescription };

/** Finds what a token string is, by its prefix (opaque access or refresh token) or as a JWT; undefined unless it is live. */
export async function lookupToken(ctx: ServerContext, token: string, issuer: string): Promise<FoundToken | undefined> {
  const now = ctx.clock.now();
  const parsed = parseKey(token);
  if (parsed?.prefix === ACCESS_TOKEN_PREFIX) {
    for (const v of ctx.keyring.pepperVersions) {
      const hash = ctx.keyring.hash('access_token', token, v);
      const t = await ctx.store.findOpaqueToken(hash);
      if (t === undefined) continue;
      if (t.revokedAt !== null || t.expiresAt <= now || (await ctx.store.isJtiRevoked(t.jti, now))) return undefined;
      return {
        kind: 'opaque',
        clientId: t.clientId,
        hash,
        describe: {
          scope: t.scope.join(' '),
          client_id: t.clientId,
          workspace_id: t.workspaceId,
          sub: t.subject,
          aud: t.audience.length === 1 ? t.audience[0] : t.audience,
          iss: issuer,
          exp: Math.floor(t.expiresAt / 1000),
          iat: Math.floor(t.issuedAt / 1000),
          jti: t.jti,
          token_type: t.jkt === null ? 'Bearer' : 'DPoP',
          ...(t.jkt !== null && { cnf: { jkt: t.jkt } }),
        },
      };
    }
    return undefined;
  }
  if (parsed?.prefix === REFRESH_TOKEN_PREFIX) {
    const rt = await findRefreshToken(ctx, token);
    if (rt === undefined || rt.usedAt !== null || rt.expiresAt <= now) return undefined;
    const family = await ctx.store.getFamily(rt.familyId);
    if (family === undefined || family.revokedAt !== null) return undefined;
    return {
      kind: 'refresh_token',
      clientId: family.clientId,
      familyId: family.id,
      describe: {
        scope: family.scope.join(' '),
        client_id: family.clientId,
        workspace_id: family.workspaceId,
        sub: family.subject,
        iss: issuer,
        exp: Math.floor(rt.expiresAt / 1000),
        iat: Math.floor(rt.createdAt / 1000),
        token_type: 'refresh_token',
      },
    };
  }
  const c = await verifyAccessToken(ctx, token, issuer);
  if (c === undefined) return undefined;
  return {
    kind: 'jwt',
    clientId: c.client_id,
    jti: c.jti,
    exp: c.exp,
    describe: {
      scope: c.scope,
      client_id: c.client_id,
      ...(typeof c.workspace_id === 'string' && { workspace_id: c.workspace_id }),
      sub: c.sub,
      aud: c.aud,
      iss: c.iss,
      exp: c.exp,
      iat: c.iat,
      jti: c.jti,
      token_type: c.cnf ? 'DPoP' : 'Bearer',
      ...(c.cnf && { cnf: c.cnf }),
    },
  };
}
