import { SCOPE_PATTERN, scopeGrants } from '../../scopes/scope-expression.js';
import { OAuthError } from '../oauth-error.js';

/**
 * The scopes of a grant: without `scope`, the first list as is; with it, every requested scope
 * must be granted by each of the lists (RFC 6749 §3.3). Refused, never silently narrowed.
 */
export function grantScopes(asked: string | undefined, lists: string[][]): string[] {
  if (asked === undefined) return lists[0]!;
  const tokens = asked.split(' ');
  if (asked.length > 4096 || tokens.some((t) => !SCOPE_PATTERN.test(t)))
    throw new OAuthError('invalid_scope', 'scope must be space-separated scope names.');
  for (const t of tokens) {
    if (!lists.every((granted) => granted.some((g) => scopeGrants(g, t))))
      throw new OAuthError('invalid_scope', `The scope "${t}" is not allowed here.`);
  }
  return [...new Set(tokens)];
}

/**
 * What two lists of scopes both grant: each scope of either list that the other grants, so a
 * wildcard on one side narrows to the narrower scopes of the other (`documents:*` and
 * `documents:read` give `documents:read`).
 */
export function intersectScopes(a: readonly string[], b: readonly string[]): string[] {
  const out = new Set<string>();
  for (const s of a) if (b.some((g) => scopeGrants(g, s))) out.add(s);
  for (const s of b) if (a.some((g) => scopeGrants(g, s))) out.add(s);
  return [...out];
}
