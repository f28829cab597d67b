import type { TokenResponse } from '@tessera/api';
import type { OAuthClientRecord } from '../oauth-records.js';
import type { ServerContext } from '../server-context.js';
import type { TokenRequest } from '../token-request.js';

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
