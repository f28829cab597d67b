import type { IntrospectionResponse } from '@tessera/api';
import { OAUTH_PATHS } from '../metadata.js';
import { OAuthError } from '../oauth-error.js';
import { clientEndpoint } from '../server-context.js';
import { param } from '../token-request.js';
import { lookupToken } from '../tokens/token-lookup.js';

/**
 * Token introspection (RFC 7662): `{active: false}` for anything that is not a live token of the
 * asking client's workspace, whoever it was issued to.
 */
export const introspectionEndpoint = clientEndpoint<IntrospectionResponse>(OAUTH_PATHS.introspection, async (ctx, req, client, issuer) => {
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
});
