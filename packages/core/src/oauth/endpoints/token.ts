import type { TokenResponse } from '@tessera/api';
import { verifyDpopProof } from '../dpop.js';
import { authorizationCode } from '../grants/authorization-code.js';
import { clientCredentials } from '../grants/client-credentials.js';
import { deviceCode } from '../grants/device-code.js';
import type { Grant } from '../grants/grant.js';
import { refreshToken } from '../grants/refresh-token.js';
import { tokenExchange } from '../grants/token-exchange.js';
import { OAUTH_PATHS } from '../metadata.js';
import { OAuthError } from '../oauth-error.js';
import { ALL_GRANT_TYPES, GRANT_TYPES, type GrantType, type OAuthClientRecord } from '../oauth-records.js';
import { clientEndpoint, type ServerContext } from '../server-context.js';
import { param, type TokenRequest } from '../token-request.js';

/** Each grant type's handler. */
const GRANTS: Record<GrantType, Grant> = {
  [GRANT_TYPES.clientCredentials]: clientCredentials,
  [GRANT_TYPES.authorizationCode]: authorizationCode,
  [GRANT_TYPES.tokenExchange]: tokenExchange,
  [GRANT_TYPES.refreshToken]: refreshToken,
  [GRANT_TYPES.deviceCode]: deviceCode,
};

/**
 * The token endpoint (RFC 6749 §3.2): authenticates the client, checks that it may use the grant
 * type it names, verifies a DPoP proof (RFC 9449 §5), and hands the request to the grant.
 */
export const tokenEndpoint = clientEndpoint<TokenResponse>(OAUTH_PATHS.token, async (ctx, req, client, issuer) => {
  const grantType = param(req, 'grant_type');
  if (grantType === undefined) throw new OAuthError('invalid_request', 'grant_type is missing.');
  if (!(ALL_GRANT_TYPES as readonly string[]).includes(grantType))
    throw new OAuthError('unsupported_grant_type', 'This grant type is not supported.');
  if (!(client.grantTypes as string[]).includes(grantType))
    throw new OAuthError('unauthorized_client', 'This client may not use this grant type.');
  const headers: Record<string, string> = {};
  if (client.dpopNonce) headers['dpop-nonce'] = ctx.nonces.current();
  const jkt = await dpopKey(ctx, req, client, issuer + OAUTH_PATHS.token);
  const body = await GRANTS[grantType as GrantType](ctx, req, client, issuer, jkt);
  return { body, headers };
});

/** The thumbprint of the DPoP proof's key, or undefined without a proof (which a DPoP-bound client must send). */
async function dpopKey(ctx: ServerContext, req: TokenRequest, client: OAuthClientRecord, url: string): Promise<string | undefined> {
  if (req.dpop.length === 0) {
    if (client.dpopBound) throw new OAuthError('invalid_dpop_proof', 'This client must send a DPoP proof.');
    return undefined;
  }
  const { jkt } = await verifyDpopProof(
    req.dpop,
    { method: req.method, url, nonces: client.dpopNonce ? ctx.nonces : undefined },
    { repos: ctx.store, clock: ctx.clock },
  );
  return jkt;
}
