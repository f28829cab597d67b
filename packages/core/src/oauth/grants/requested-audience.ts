import { OAuthError } from '../oauth-error.js';
import type { OAuthClientRecord } from '../oauth-records.js';
import type { TokenRequest } from '../token-request.js';

/**
 * The audiences a token is asked for: `audience` (RFC 8693) or `resource` (RFC 8707) values, each
 * one the client may name; without any, the client's first audience (the issuer when it has none).
 */
export function requestedAudience(req: TokenRequest, client: OAuthClientRecord, issuer: string): string[] {
  const allowed = client.audience.length > 0 ? client.audience : [issuer];
  const asked = [...(req.params.get('audience') ?? []), ...(req.params.get('resource') ?? [])];
  if (asked.length === 0) return [allowed[0]!];
  for (const a of asked)
    if (!allowed.includes(a)) throw new OAuthError('invalid_target', 'This client may not request a token for that audience.');
  return [...new Set(asked)];
}
