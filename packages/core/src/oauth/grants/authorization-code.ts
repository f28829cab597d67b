import { createHash } from 'node:crypto';
import { parseKey } from '@tessera/api';
import { appendAudit } from '../../audit/audit-chain.js';
import { safeEqual } from '../../custody/safe-equal.js';
import { AUTHORIZATION_CODE_PREFIX } from '../authorization/authorization-flow.js';
import { OAuthError } from '../oauth-error.js';
import type { OAuthClientRecord } from '../oauth-records.js';
import type { AuthorizationCodeRecord } from '../people/end-user-records.js';
import type { ServerContext } from '../server-context.js';
import { param, type TokenRequest } from '../token-request.js';
import { clientActor, revokeFamilyIn } from '../tokens/token-families.js';
import type { Grant } from './grant.js';
import { issueUserTokens } from './user-tokens.js';

/** RFC 7636 §4.1: 43 to 128 unreserved characters. */
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

/**
 * The authorization code grant (RFC 6749 §4.1.3) with PKCE (RFC 7636 §4.6): the code must be the
 * client's, unexpired, unspent, for the same redirect URI, and the verifier must hash to its
 * challenge. It is spent in the transaction that records what it yields; a code presented again
 * revokes the access token and refresh tokens issued for it (RFC 6749 §4.1.2, RFC 9700 §4.5).
 * `offline_access` (for a client that may refresh) adds a refresh token; `openid` an ID token.
 */
export const authorizationCode: Grant = async (ctx, req, client, issuer, jkt) => {
  const code = param(req, 'code');
  const verifier = param(req, 'code_verifier');
  if (code === undefined) throw new OAuthError('invalid_request', 'code is missing.');
  if (verifier === undefined) throw new OAuthError('invalid_request', 'code_verifier is missing: PKCE is required.');
  const invalid = new OAuthError('invalid_grant', 'The authorization code is invalid, expired or spent.');
  if (parseKey(code)?.prefix !== AUTHORIZATION_CODE_PREFIX) throw invalid;
  const found = await findCode(ctx, code);
  if (found === undefined) throw invalid;
  if (found.usedAt !== null) return replayed(ctx, req, client, found);
  const now = ctx.clock.now();
  if (found.clientId !== client.id || found.expiresAt <= now) throw invalid;
  if (param(req, 'redirect_uri') !== found.redirectUri)
    throw new OAuthError('invalid_grant', 'redirect_uri is not the one of the authorization request.');
  const computed = createHash('sha256').update(verifier, 'ascii').digest('base64url');
  if (!VERIFIER.test(verifier) || !safeEqual(computed, found.codeChallenge))
    throw new OAuthError('invalid_grant', 'code_verifier does not match the code_challenge.');
  const user = await ctx.store.getEndUser(found.userId);
  if (user === undefined || user.disabledAt !== null || user.workspaceId !== client.workspaceId) throw invalid;

  const body = await issueUserTokens(
    { ctx, req, client, issuer, jkt },
    { user, scope: found.scope, nonce: found.nonce, authTime: found.authTime, amr: found.amr },
    (tx, issued) => tx.spendAuthorizationCode(found.hash, now, issued),
  );
  if (body !== undefined) return body;
  // Two exchanges of one code racing each other: the loser revokes what the winner got.
  const after = await ctx.store.findAuthorizationCode(found.hash);
  return replayed(ctx, req, client, after ?? found);
};

/** The stored code, hashed under each pepper the keyring still knows. */
async function findCode(ctx: ServerContext, code: string): Promise<AuthorizationCodeRecord | undefined> {
  for (const v of ctx.keyring.pepperVersions) {
    const found = await ctx.store.findAuthorizationCode(ctx.keyring.hash('authorization_code', code, v));
    if (found !== undefined) return found;
  }
  return undefined;
}

/** A spent code presented again: what it yielded is revoked (audited), and the request refused. */
async function replayed(ctx: ServerContext, req: TokenRequest, client: OAuthClientRecord, code: AuthorizationCodeRecord): Promise<never> {
  const actor = clientActor(client, req);
  await ctx.store.transaction(async (tx) => {
    if (code.accessTokenJti !== null) await tx.revokeJti(code.accessTokenJti, code.accessTokenExpiresAt ?? ctx.clock.now() + 3_600_000);
    const family = code.familyId === null ? undefined : await tx.getFamily(code.familyId);
    if (family !== undefined) await revokeFamilyIn(ctx, tx, family, actor, 'authorization_code_reused');
    await appendAudit(tx, ctx.clock, actor, {
      action: 'oauth_authorization_code.reused',
      target: code.clientId,
      details: { userId: code.userId, familyId: code.familyId, presentedBy: client.id },
    });
  });
  throw new OAuthError('invalid_grant', 'The authorization code was used already; the tokens issued for it are revoked.');
}
