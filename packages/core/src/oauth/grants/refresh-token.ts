import { safeEqual } from '../../custody/safe-equal.js';
import { isId } from '../../ids.js';
import { OIDC_SCOPES } from '../authorization/authorization-request.js';
import { OAUTH_PATHS } from '../metadata.js';
import { OAuthError } from '../oauth-error.js';
import { param } from '../token-request.js';
import { issueAccessToken } from '../tokens/access-token.js';
import {
  clientActor,
  findRefreshToken,
  newRefreshToken,
  REFRESH_TOKEN_PREFIX,
  revokeFamily,
  revokeFamilyIn,
} from '../tokens/token-families.js';
import { presentedCredential, type Grant } from './grant.js';
import { familyEnd, KEY_GONE, refreshGrant } from './refresh-policy.js';

/**
 * Refresh (RFC 6749 §6) with rotation: every use returns a new refresh token and spends the old
 * one. A spent token presented again means two parties hold it; the whole family is revoked
 * (RFC 9700 §4.14.2), in the same transaction that notices it. A client may opt into a grace
 * window of up to 10 s in which the immediately previous token may be retried once more.
 */
export const refreshToken: Grant = async (ctx, req, client, issuer, jkt) => {
  const invalid = new OAuthError('invalid_grant', 'The refresh token is invalid, expired or revoked.');
  const presented = presentedCredential(req, 'refresh_token', REFRESH_TOKEN_PREFIX, invalid);
  const found = await findRefreshToken(ctx, presented);
  if (found === undefined) throw invalid;
  const family = await ctx.store.getFamily(found.familyId);
  if (family === undefined || family.clientId !== client.id) throw invalid;
  const now = ctx.clock.now();
  if (family.revokedAt !== null || found.expiresAt <= now) throw invalid;
  // The absolute lifetime, as the client says now: rotation never makes a grant immortal.
  const end = familyEnd(family, client);
  if (now >= end) throw invalid;
  // A public client's DPoP-bound grant: only the key it was bound to may refresh it (RFC 9449 §5).
  // Refused without spending the token, so a thief without the key cannot burn the family either.
  if (family.jkt !== null && (jkt === undefined || !safeEqual(jkt, family.jkt)))
    throw new OAuthError(
      'invalid_grant',
      jkt === undefined
        ? 'This refresh token is bound to a DPoP key: send a DPoP proof made with that key.'
        : 'This refresh token is bound to another DPoP key.',
    );
  const actor = clientActor(client, req);
  // A token spent beyond any grace goes straight to reuse detection: nothing is checked or spent for it.
  const spent = found.usedAt !== null && now - found.usedAt > client.refreshGraceSeconds * 1000;
  let grant: { scope: string[]; aud: string[] } | undefined;
  if (!spent) {
    let keyScopes: string[] | undefined;
    if (family.apiKeyId !== null) {
      // A refresh is a use of the exchanged key: its allowlist, limits and one credit, as it stands now.
      const v = await ctx.checkApiKey(family.apiKeyId, {
        workspaceId: family.workspaceId,
        ip: req.ip,
        cost: 1,
        resource: OAUTH_PATHS.token,
        method: 'POST',
      });
      if (!v.valid) {
        if (KEY_GONE.has(v.code)) await revokeFamily(ctx, family.id, 'api_key_no_longer_valid', actor);
        throw new OAuthError('invalid_grant', `The API key behind this grant cannot be used now (${v.code}).`);
      }
      keyScopes = v.scopes ?? [];
    }
    if (isId('endUser', family.subject)) {
      // A person's grant lasts while the person may sign in: deleted or disabled ends it.
      const user = await ctx.store.getEndUser(family.subject);
      if (user === undefined || user.disabledAt !== null) {
        await revokeFamily(ctx, family.id, 'end_user_no_longer_valid', actor);
        throw invalid;
      }
    }
    // OpenID Connect scopes are granted by the user's consent, not the client's list.
    const granting = isId('endUser', family.subject) ? { ...client, scopes: [...OIDC_SCOPES, ...client.scopes] } : client;
    grant = refreshGrant(param(req, 'scope'), family, granting, keyScopes, issuer);
  }
  const next = newRefreshToken(ctx, family.id, client, now, end);
  const outcome = await ctx.store.transaction(async (tx): Promise<'rotated' | 'reused'> => {
    const reused = async (reason: string) => {
      await revokeFamilyIn(ctx, tx, family, actor, reason);
      return 'reused' as const;
    };
    const current = await tx.getRefreshToken(found.id);
    if (current === undefined) return 'reused';
    if (current.usedAt === null) {
      if (!(await tx.markRefreshTokenUsed(current.id, now, next.record.id))) return reused('concurrent_use');
      await tx.insertRefreshToken(next.record);
      return 'rotated';
    }
    // Spent already. Within the grace window, the immediately previous token may be retried once
    // more, provided its successor has not been used: the successor is spent in its place.
    const graceMs = client.refreshGraceSeconds * 1000;
    if (graceMs > 0 && now - current.usedAt <= graceMs && current.replacedById !== null) {
      const successor = await tx.getRefreshToken(current.replacedById);
      if (successor !== undefined && successor.usedAt === null && (await tx.markRefreshTokenUsed(successor.id, now, next.record.id))) {
        await tx.insertRefreshToken(next.record);
        return 'rotated';
      }
    }
    return reused('refresh_token_reused');
  });
  if (outcome === 'reused' || grant === undefined)
    throw new OAuthError('invalid_grant', 'The refresh token was already used; the grant is revoked.');
  const body = await issueAccessToken(ctx, client, issuer, { sub: family.subject, scope: grant.scope, aud: grant.aud, jkt });
  body.refresh_token = next.token;
  return body;
};
