import { isId } from '../../ids.js';
import { verifyDpopProof } from '../dpop.js';
import { OAuthError } from '../oauth-error.js';
import type { ServerContext } from '../server-context.js';
import { lookupToken } from '../tokens/token-lookup.js';

/** A request to the userinfo endpoint, without HTTP framework types. */
export interface UserinfoRequest {
  authorization: string | undefined;
  dpop: string[];
  method: string;
  /** The endpoint's URL as the issuer names it (DPoP's `htu`). */
  url: string;
}

/** The answer: the claims, or a refusal in RFC 6750 §3.1's words. */
export type UserinfoOutcome =
  | { ok: true; claims: Record<string, string | boolean> }
  | { ok: false; status: 401 | 403 | 400; error: 'invalid_token' | 'insufficient_scope' | 'invalid_request'; description: string };

/**
 * The UserInfo endpoint (OIDC Core §5.3): a live access token with `openid`, issued for an end user
 * of a client that still exists, answers `sub` and the claims its scopes cover (§5.4): `name` for
 * `profile`, `email` and `email_verified` for `email`. A DPoP-bound token needs its proof.
 */
export async function userinfoEndpoint(ctx: ServerContext, req: UserinfoRequest, issuer: string): Promise<UserinfoOutcome> {
  const refused = (description: string) => ({ ok: false, status: 401, error: 'invalid_token', description }) as const;
  const m = /^(Bearer|DPoP) ([A-Za-z0-9\-._~+/]+=*)$/i.exec(req.authorization ?? '');
  if (m === null)
    return { ok: false, status: 401, error: 'invalid_request', description: 'Send the access token in the Authorization header.' };
  const token = m[2]!;
  const found = await lookupToken(ctx, token, issuer);
  if (found === undefined || found.kind === 'refresh_token') return refused('The access token is invalid, expired or revoked.');
  const { describe } = found;
  const bound = describe.cnf?.jkt;
  if (bound !== undefined) {
    if (m[1]!.toLowerCase() !== 'dpop') return refused('This token is DPoP-bound: use the DPoP scheme with a proof.');
    try {
      const { jkt } = await verifyDpopProof(
        req.dpop,
        { method: req.method, url: req.url, accessToken: token },
        { repos: ctx.store, clock: ctx.clock },
      );
      if (jkt !== bound) return refused('The DPoP proof is not made by the key the token is bound to.');
    } catch (err) {
      if (err instanceof OAuthError) return refused(err.description);
      throw err;
    }
  }
  const scope = (describe.scope ?? '').split(' ');
  if (!scope.includes('openid'))
    return { ok: false, status: 403, error: 'insufficient_scope', description: 'The token lacks the openid scope.' };
  const sub = describe.sub;
  if (sub === undefined || !isId('endUser', sub)) return refused('The token was not issued for a person.');
  const [client, user] = await Promise.all([ctx.store.getClient(found.clientId), ctx.store.getEndUser(sub)]);
  if (client === undefined || client.deletedAt !== null || user === undefined || user.disabledAt !== null)
    return refused('The grant has ended.');
  if (user.workspaceId !== client.workspaceId) return refused('The grant has ended.');
  const claims: Record<string, string | boolean> = { sub };
  if (scope.includes('profile') && user.name !== null) claims.name = user.name;
  if (scope.includes('email')) {
    claims.email = user.email;
    claims.email_verified = user.emailVerified;
  }
  return { ok: true, claims };
}
