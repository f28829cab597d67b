import type { TokenResponse } from '@tessera/api';
import { newId } from '../../ids.js';
import { newJti } from '../jti.js';
import type { OAuthClientRecord, TokenFamilyRecord } from '../oauth-records.js';
import type { OAuthRepos } from '../oauth-store.js';
import type { EndUserRecord } from '../people/end-user-records.js';
import type { ServerContext } from '../server-context.js';
import type { TokenRequest } from '../token-request.js';
import { issueAccessToken } from '../tokens/access-token.js';
import { issueIdToken } from '../tokens/id-token.js';
import { newRefreshToken } from '../tokens/token-families.js';
import { familyEnd } from './refresh-policy.js';
import { requestedAudience } from './requested-audience.js';

/** What a user granted, as a code or a device authorization holds it. */
export interface UserGrant {
  user: EndUserRecord;
  scope: string[];
  nonce: string | null;
  /** When the user authenticated (epoch ms), and how (RFC 8176). */
  authTime: number;
  amr: string[];
}

/** The token request a grant is exchanged in: the client it authenticated, and the DPoP key it proved, if any. */
export interface TokenExchange {
  ctx: ServerContext;
  req: TokenRequest;
  client: OAuthClientRecord;
  issuer: string;
  jkt: string | undefined;
}

/** What is issued for a grant, recorded when it is spent. */
export interface Issued {
  familyId: string | null;
  accessTokenJti: string;
  accessTokenExpiresAt: number;
}

/**
 * The tokens of a grant made by a user: an access token; a refresh token for `offline_access`
 * (for a client that may refresh); an ID token for `openid`. `spend` spends the grant in the
 * transaction that records the refresh family, so that of two requests racing only one gets
 * tokens; undefined when `spend` lost.
 */
export async function issueUserTokens(
  { ctx, req, client, issuer, jkt }: TokenExchange,
  g: UserGrant,
  spend: (tx: OAuthRepos, issued: Issued) => Promise<boolean>,
): Promise<TokenResponse | undefined> {
  const now = ctx.clock.now();
  const aud = requestedAudience(req, client, issuer);
  const jti = newJti();
  const refresh = g.scope.includes('offline_access') && client.grantTypes.includes('refresh_token');
  const family: TokenFamilyRecord | undefined = refresh
    ? {
        id: newId('tokenFamily', now),
        workspaceId: client.workspaceId,
        clientId: client.id,
        subject: g.user.id,
        apiKeyId: null,
        scope: g.scope,
        audience: aud,
        createdAt: now,
        revokedAt: null,
        revokeReason: null,
        // A public client holds no secret: its refresh tokens are bound to the DPoP key it proved, if any (RFC 9449 §5).
        jkt: client.authMethod === 'none' ? (jkt ?? null) : null,
      }
    : undefined;
  const rt = family && newRefreshToken(ctx, family.id, client, now, familyEnd(family, client));
  const accessTokenExpiresAt = (Math.floor(now / 1000) + client.accessTokenTtl + 1) * 1000;
  const spent = await ctx.store.transaction(async (tx) => {
    if (!(await spend(tx, { familyId: family?.id ?? null, accessTokenJti: jti, accessTokenExpiresAt }))) return false;
    if (family !== undefined && rt !== undefined) {
      await tx.insertFamily(family);
      await tx.insertRefreshToken(rt.record);
    }
    return true;
  });
  if (!spent) return undefined;
  const body = await issueAccessToken(ctx, client, issuer, { sub: g.user.id, scope: g.scope, aud, jkt, jti });
  if (rt !== undefined) body.refresh_token = rt.token;
  if (g.scope.includes('openid'))
    body.id_token = await issueIdToken(ctx, client, issuer, {
      sub: g.user.id,
      nonce: g.nonce,
      authTime: g.authTime,
      amr: g.amr,
      accessToken: body.access_token,
    });
  return body;
}
