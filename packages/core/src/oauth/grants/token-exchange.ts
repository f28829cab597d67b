import { newId } from '../../ids.js';
import { scopeGrants } from '../../scopes/scope-expression.js';
import { OAuthError } from '../oauth-error.js';
import { GRANT_TYPES, type TokenFamilyRecord } from '../oauth-records.js';
import { param } from '../token-request.js';
import { ACCESS_TOKEN_TYPE, API_KEY_TOKEN_TYPE, JWT_TOKEN_TYPE } from '../token-types.js';
import { issueAccessToken } from '../tokens/access-token.js';
import { newRefreshToken } from '../tokens/token-families.js';
import type { Grant } from './grant.js';
import { grantScopes } from './grant-scopes.js';
import { familyEnd } from './refresh-policy.js';
import { requestedAudience } from './requested-audience.js';

/**
 * Token exchange (RFC 8693) of an API key for an access token. The key must be valid in the
 * client's workspace, and the exchange spends one of its credits. The token's subject is the
 * key's owner; its scopes are those both the key and the client grant. A client that may refresh
 * also gets a refresh token, the first of a new family tied to the key.
 */
export const tokenExchange: Grant = async (ctx, req, client, issuer, jkt) => {
  const subjectToken = param(req, 'subject_token');
  const subjectType = param(req, 'subject_token_type');
  if (subjectToken === undefined || subjectType === undefined)
    throw new OAuthError('invalid_request', 'subject_token and subject_token_type are required.');
  if (subjectType !== API_KEY_TOKEN_TYPE) throw new OAuthError('invalid_request', `subject_token_type must be ${API_KEY_TOKEN_TYPE}.`);
  if (param(req, 'actor_token') !== undefined || param(req, 'actor_token_type') !== undefined)
    throw new OAuthError('invalid_request', 'Delegation with actor_token is not supported.');
  const requested = param(req, 'requested_token_type');
  if (requested !== undefined && requested !== ACCESS_TOKEN_TYPE && !(requested === JWT_TOKEN_TYPE && client.accessTokenFormat === 'jwt')) {
    throw new OAuthError('invalid_request', `requested_token_type must be ${ACCESS_TOKEN_TYPE}.`);
  }
  // RFC 8693 §2.2.2: an unacceptable subject_token is invalid_request. Exchanging spends one credit.
  const v = await ctx.verifyApiKey({ key: subjectToken, workspaceId: client.workspaceId, ip: req.ip, cost: 1 });
  if (!v.valid || v.keyId === undefined) throw new OAuthError('invalid_request', `The subject_token is not a valid API key (${v.code}).`);
  const keyScopes = v.scopes ?? [];
  const asked = param(req, 'scope');
  const scope =
    asked === undefined
      ? keyScopes.filter((s) => client.scopes.some((c) => scopeGrants(c, s)))
      : grantScopes(asked, [keyScopes, client.scopes]);
  const aud = requestedAudience(req, client, issuer);
  const sub = v.ownerId ?? `key:${v.keyId}`;
  const body = await issueAccessToken(ctx, client, issuer, { sub, scope, aud, jkt });
  body.issued_token_type = ACCESS_TOKEN_TYPE;
  if (client.grantTypes.includes(GRANT_TYPES.refreshToken)) {
    const now = ctx.clock.now();
    const family: TokenFamilyRecord = {
      id: newId('tokenFamily', now),
      workspaceId: client.workspaceId,
      clientId: client.id,
      subject: sub,
      apiKeyId: v.keyId,
      scope,
      audience: aud,
      createdAt: now,
      revokedAt: null,
      revokeReason: null,
      // A confidential client's refresh tokens are bound to its authentication, not to a DPoP key (RFC 9449 §5).
      jkt: null,
    };
    const rt = newRefreshToken(ctx, family.id, client, now, familyEnd(family, client));
    await ctx.store.transaction(async (tx) => {
      await tx.insertFamily(family);
      await tx.insertRefreshToken(rt.record);
    });
    body.refresh_token = rt.token;
  }
  return body;
};
