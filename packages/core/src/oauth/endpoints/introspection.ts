import type { IntrospectionResponse } from '@tessera/api';
import { OAUTH_PATHS } from '../metadata.js';
import { OAuthError } from '../oauth-error.js';
import { authenticate, type EndpointAnswer, type ServerContext } from '../server-context.js';
import { param, type TokenRequest } from '../token-request.js';
import { lookupToken } from '../tokens/token-lookup.js';

/**
 * Token introspection (RFC 7662): `{active: false}` for anything that is not a live token of the
 * asking client's workspace, whoever it was issued to.
 */
export async function introspectionEndpoint(
  ctx: ServerContext,
  req: TokenRequest,
  issuer: string,
): Promise<EndpointAnswer<IntrospectionResponse>> {
  const client = await authenticate(ctx, req, issuer, OAUTH_PATHS.introspection);
  // Introspection is for resource servers, which can keep a secret; a public client may not ask.
  if (client.authMethod === 'none') throw new OAuthError('invalid_client', 'Client authentication failed.');
  const token = param(req, 'token');
  if (token === undefined) throw new OAuthError('invalid_request', 'token is missing.');
  const inactive = { body: { active: false as const }, headers: {} };
  const found = await lookupToken(ctx, token, issuer);
  if (found === undefined) return inactive;
  const owner = found.clientId === client.id ? client : await ctx.store.getClient(found.clientId);
  if (owner === undefined || owner.deletedAt !== null || owner.workspaceId !== client.workspaceId) return inactive;
  return { body: { active: true, ...found.describe }, headers: {} };
}
