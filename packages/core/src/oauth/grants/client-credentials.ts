import { param } from '../token-request.js';
import { issueAccessToken } from '../tokens/access-token.js';
import type { Grant } from './grant.js';
import { grantScopes } from './grant-scopes.js';
import { requestedAudience } from './requested-audience.js';

/**
 * The client credentials grant (RFC 6749 §4.4): a token for the client itself, with the scopes it
 * asks for among its own. No refresh token (§4.4.3).
 */
export const clientCredentials: Grant = async (ctx, req, client, issuer, jkt) => {
  const scope = grantScopes(param(req, 'scope'), [client.scopes]);
  const aud = requestedAudience(req, client, issuer);
  return issueAccessToken(ctx, client, issuer, { sub: client.id, scope, aud, jkt });
};
