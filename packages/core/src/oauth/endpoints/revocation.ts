import { OAUTH_PATHS } from '../metadata.js';
import { OAuthError } from '../oauth-error.js';
import { clientEndpoint } from '../server-context.js';
import { param } from '../token-request.js';
import { clientActor, revokeFamily } from '../tokens/token-families.js';
import { lookupToken } from '../tokens/token-lookup.js';

/**
 * Token revocation (RFC 7009): a client revokes a token issued to it. A refresh token takes its
 * whole family with it. 200 for unknown and already invalid tokens alike (§2.2).
 */
export const revocationEndpoint = clientEndpoint<Record<string, never>>(OAUTH_PATHS.revocation, async (ctx, req, client, issuer) => {
  const token = param(req, 'token');
  if (token === undefined) throw new OAuthError('invalid_request', 'token is missing.');
  const found = await lookupToken(ctx, token, issuer);
  if (found === undefined) return { body: {}, headers: {} };
  if (found.clientId !== client.id) throw new OAuthError('invalid_request', 'This token was not issued to this client.');
  if (found.kind === 'refresh_token') {
    await revokeFamily(ctx, found.familyId, 'revoked_by_client', clientActor(client, req));
  } else if (found.kind === 'opaque') {
    await ctx.store.revokeOpaqueToken(found.hash, ctx.clock.now());
  } else {
    // Revocation keys on the jti, never on the token's bytes: any encoding of it stays revoked.
    await ctx.store.revokeJti(found.jti, found.exp * 1000);
  }
  return { body: {}, headers: {} };
});
