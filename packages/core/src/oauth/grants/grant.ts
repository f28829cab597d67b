import { parseKey, type TokenResponse } from '@tessera/api';
import { OAuthError } from '../oauth-error.js';
import type { OAuthClientRecord } from '../oauth-records.js';
import type { ServerContext } from '../server-context.js';
import { param, type TokenRequest } from '../token-request.js';

/**
 * A grant type's handler at the token endpoint. The endpoint has authenticated the client, checked
 * that it may use the grant, and verified its DPoP proof (`jkt` is the proof key's thumbprint).
 */
export type Grant = (
  ctx: ServerContext,
  req: TokenRequest,
  client: OAuthClientRecord,
  issuer: string,
  jkt: string | undefined,
) => Promise<TokenResponse>;

/**
 * The credential a grant is presented in parameter `name` (a refresh token, a device code): when it
 * is missing the request is invalid; when it is not one of ours (no key of `prefix`), `invalid`.
 */
export function presentedCredential(req: TokenRequest, name: string, prefix: string, invalid: OAuthError): string {
  const presented = param(req, name);
  if (presented === undefined) throw new OAuthError('invalid_request', `${name} is missing.`);
  if (parseKey(presented)?.prefix !== prefix) throw invalid;
  return presented;
}
