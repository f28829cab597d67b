import type { VerifyCode } from '@tessera/api';
import { grantScopes, intersectScopes } from './grant-scopes.js';
import { OAuthError } from '../oauth-error.js';
import type { OAuthClientRecord, TokenFamilyRecord } from '../oauth-records.js';

/** Answers about an exchanged key that end its refresh families for good (the others only refuse this refresh). */
export const KEY_GONE: ReadonlySet<VerifyCode> = new Set<VerifyCode>(['NOT_FOUND', 'REVOKED', 'EXPIRED', 'DISABLED']);

/** When a family ends whatever its refresh tokens say: its creation plus the client's absolute lifetime now. */
export function familyEnd(family: Pick<TokenFamilyRecord, 'createdAt'>, client: Pick<OAuthClientRecord, 'refreshFamilyLifetime'>): number {
  return family.createdAt + client.refreshFamilyLifetime * 1000;
}

/**
 * What a refresh may grant: the family's scopes narrowed to what the exchanged key (when there is
 * one) and the client grant now, and its audiences narrowed to those the client may name now.
 * A requested `scope` must fit inside that (refused, never narrowed); no audience left is
 * `invalid_grant`.
 */
export function refreshGrant(
  asked: string | undefined,
  family: Pick<TokenFamilyRecord, 'scope' | 'audience'>,
  client: Pick<OAuthClientRecord, 'scopes' | 'audience'>,
  keyScopes: readonly string[] | undefined,
  issuer: string,
): { scope: string[]; aud: string[] } {
  let now = intersectScopes(family.scope, client.scopes);
  if (keyScopes !== undefined) now = intersectScopes(now, keyScopes);
  const scope = asked === undefined ? now : grantScopes(asked, [now]);
  const allowed = client.audience.length > 0 ? client.audience : [issuer];
  const aud = family.audience.filter((a) => allowed.includes(a));
  if (aud.length === 0) throw new OAuthError('invalid_grant', 'No audience of this grant may be named by the client any more.');
  return { scope, aud };
}
