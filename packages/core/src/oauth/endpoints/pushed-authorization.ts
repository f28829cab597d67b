import { generateKey } from '../../api-keys/key-format.js';
import { checkAuthorizationRequest, type PushedParams } from '../authorization/authorization-request.js';
import { OAUTH_PATHS } from '../metadata.js';
import { OAUTH_ERROR_STATUS, OAuthError, type OAuthErrorCode } from '../oauth-error.js';
import type { OAuthClientRecord } from '../oauth-records.js';
import { clientEndpoint, type ServerContext } from '../server-context.js';

/** RFC 9126 §2.2: the `request_uri` is a URN of this prefix and a random reference. */
export const REQUEST_URI_PREFIX = 'urn:ietf:params:oauth:request_uri:';
const REFERENCE_PREFIX = 'tessera_pr';
/** A pushed request lives five minutes: long enough to sign in, short enough to be useless later. */
export const PUSHED_REQUEST_TTL_S = 300;

/** The client authentication parameters, which are not part of the authorization request. */
const CLIENT_AUTH = new Set(['client_secret', 'client_assertion', 'client_assertion_type']);

/** The pushed authorization request response (RFC 9126 §2.2). */
export interface PushedAuthorizationResponse {
  request_uri: string;
  expires_in: number;
}

/**
 * The pushed authorization request endpoint (RFC 9126 §2): the client authenticates as at the
 * token endpoint, and its authorization request is checked exactly as the authorization endpoint
 * would (registered redirect URI, PKCE S256, scopes); a refusal is an RFC 6749 error here, not a
 * redirect. `request_uri` may not be pushed (§2.1). Kept by the keyed hash of its reference.
 */
export const pushedAuthorizationEndpoint = clientEndpoint<PushedAuthorizationResponse>(
  OAUTH_PATHS.pushedAuthorization,
  async (ctx, req, client) => {
    if (!client.grantTypes.includes('authorization_code'))
      throw new OAuthError('unauthorized_client', 'This client may not use the authorization code grant.');
    if (req.params.has('request_uri')) throw new OAuthError('invalid_request', 'request_uri may not be pushed (RFC 9126 §2.1).');
    const params: Record<string, string> = {};
    for (const [name, values] of req.params) {
      if (values.length > 1) throw new OAuthError('invalid_request', `The parameter ${name.slice(0, 64)} appears more than once.`);
      if (!CLIENT_AUTH.has(name)) params[name] = values[0]!;
    }
    params.client_id = client.id;
    const check = await checkAuthorizationRequest(
      new Map(Object.entries(params).map(([k, v]) => [k, [v]])),
      async (id) => (id === client.id ? client : undefined),
      { pushing: true },
    );
    if (!check.ok) {
      if ('page' in check) throw new OAuthError('invalid_request', check.page);
      const code = check.redirect.error;
      throw new OAuthError(code in OAUTH_ERROR_STATUS ? (code as OAuthErrorCode) : 'invalid_request', check.redirect.description);
    }
    const now = ctx.clock.now();
    const reference = generateKey(REFERENCE_PREFIX);
    await ctx.store.insertPushedRequest({
      hash: ctx.keyring.hash('pushed_request', reference),
      workspaceId: client.workspaceId,
      clientId: client.id,
      params,
      createdAt: now,
      expiresAt: now + PUSHED_REQUEST_TTL_S * 1000,
      usedAt: null,
    });
    return { status: 201, body: { request_uri: REQUEST_URI_PREFIX + reference, expires_in: PUSHED_REQUEST_TTL_S }, headers: {} };
  },
);

/** The pushed request a `request_uri` names, if it is `client`'s, unexpired and unused. */
export async function findPushedRequest(
  ctx: Pick<ServerContext, 'store' | 'keyring' | 'clock'>,
  client: OAuthClientRecord,
  requestUri: string,
): Promise<PushedParams | undefined> {
  if (!requestUri.startsWith(REQUEST_URI_PREFIX) || requestUri.length > 128) return undefined;
  const reference = requestUri.slice(REQUEST_URI_PREFIX.length);
  for (const v of ctx.keyring.pepperVersions) {
    const found = await ctx.store.findPushedRequest(ctx.keyring.hash('pushed_request', reference, v));
    if (found === undefined) continue;
    if (found.clientId !== client.id || found.usedAt !== null || found.expiresAt <= ctx.clock.now()) return undefined;
    return { hash: found.hash, params: found.params };
  }
  return undefined;
}
