/**
 * Scope checks: a required scope, or a small expression such as `a and (b or c)`.
 * Granted scopes may end in a wildcard segment: `documents:*` grants `documents:read` and
 * `documents:write:all`; `*` grants everything.
 */
export type ScopeExpression =
  | { readonly kind: 'scope'; readonly scope: string }
  | { readonly kind: 'and' | 'or'; readonly left: ScopeExpression; readonly right: ScopeExpression };

export const SCOPE_PATTERN = /^[A-Za-z0-9_.:/*-]{1,128}$/;
const MAX_EXPRESSION_LENGTH = 1024;
const MAX_DEPTH = 16;

export class ScopeSyntaxError extends Error {
  override name = 'ScopeSyntaxError';
}

/** Parses an expression; throws `ScopeSyntaxError` with a message fit for the caller. */
export function parseScopeExpression(source: string): ScopeExpression {
  if (source.length > MAX_EXPRESSION_LENGTH) throw new ScopeSyntaxError('scope expression is too long');
  const tokens = source.match(/\(|\)|[^\s()]+/g) ?? [];
  let pos = 0;

  /** One level of binary operators, left-associative: `operand (op operand)*`. */
  const level =
    (op: 'and' | 'or', operand: (depth: number) => ScopeExpression) =>
    (depth: number): ScopeExpression => {
      let left = operand(depth);
      while (tokens[pos]?.toLowerCase() === op) {
        pos++;
        left = { kind: op, left, right: operand(depth) };
      }
      return left;
    };
  const parseAtom = (depth: number): ScopeExpression => {
    if (depth > MAX_DEPTH) throw new ScopeSyntaxError('scope expression is nested too deeply');
    const token = tokens[pos++];
    if (token === undefined) throw new ScopeSyntaxError('scope expression ends too early');
    if (token === '(') {
      const inner = parseOr(depth + 1);
      if (tokens[pos++] !== ')') throw new ScopeSyntaxError('missing ")" in scope expression');
      return inner;
    }
    const lower = token.toLowerCase();
    if (token === ')' || lower === 'and' || lower === 'or') {
      throw new ScopeSyntaxError(`unexpected "${token}" in scope expression`);
    }
    if (!SCOPE_PATTERN.test(token)) throw new ScopeSyntaxError('invalid scope name in scope expression');
    return { kind: 'scope', scope: token };
  };
  // `and` binds tighter than `or`.
  const parseOr = level('or', level('and', parseAtom));

  const expression = parseOr(0);
  if (pos !== tokens.length) throw new ScopeSyntaxError(`unexpected "${tokens[pos]}" in scope expression`);
  return expression;
}

/** Whether one granted scope covers a required one. */
export function scopeGrants(granted: string, required: string): boolean {
  if (granted === required || granted === '*') return true;
  if (!granted.endsWith(':*')) return false;
  const base = granted.slice(0, -1); // keeps the trailing ':'
  return required.startsWith(base) && required.length > base.length;
}

/** A compiled check over a set of granted scopes. */
export function satisfies(expression: ScopeExpression, granted: readonly string[]): boolean {
  switch (expression.kind) {
    case 'scope':
      return granted.some((g) => scopeGrants(g, expression.scope));
    case 'and':
      return satisfies(expression.left, granted) && satisfies(expression.right, granted);
    case 'or':
      return satisfies(expression.left, granted) || satisfies(expression.right, granted);
  }
}

/** Every scope an expression names, for reports of which scopes are exercised. */
export function scopesIn(expression: ScopeExpression): string[] {
  return expression.kind === 'scope' ? [expression.scope] : [...scopesIn(expression.left), ...scopesIn(expression.right)];
}
