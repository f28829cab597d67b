import { scopeGrants } from '../scopes/scope-expression.js';

/**
 * The smaller scope set a key could have: granted scopes that covered nothing it was asked for
 * are dropped, and a wildcard that covered only a few concrete scopes is replaced by them.
 *
 * @example
 * suggestScopes(['documents:*', 'billing:read'], ['documents:read'])
 * // → { suggested: ['documents:read'], unused: ['billing:read'], narrowed: ['documents:*'] }
 */
export function suggestScopes(
  granted: readonly string[],
  exercised: readonly string[],
  maxExpansion = 5,
): { suggested: string[]; unused: string[]; narrowed: string[] } {
  const suggested = new Set<string>();
  const unused: string[] = [];
  const narrowed: string[] = [];
  for (const g of granted) {
    const covered = exercised.filter((r) => scopeGrants(g, r));
    if (covered.length === 0) unused.push(g);
    else if ((g === '*' || g.endsWith(':*')) && covered.length <= maxExpansion && !covered.includes(g)) {
      narrowed.push(g);
      for (const c of covered) suggested.add(c);
    } else suggested.add(g);
  }
  return { suggested: [...suggested].sort(), unused, narrowed };
}
