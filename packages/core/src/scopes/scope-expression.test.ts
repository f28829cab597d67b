import { describe, expect, it } from 'vitest';
import { parseScopeExpression, satisfies, scopeGrants, ScopeSyntaxError, scopesIn } from './scope-expression.js';

const check = (expr: string, granted: string[]) => satisfies(parseScopeExpression(expr), granted);

describe('scope expressions', () => {
  it('matches plain scopes and wildcards', () => {
    expect(scopeGrants('documents:*', 'documents:read')).toBe(true);
    expect(scopeGrants('documents:*', 'documents:read:all')).toBe(true);
    expect(scopeGrants('documents:*', 'documents')).toBe(false);
    expect(scopeGrants('documents:*', 'documentsx:read')).toBe(false);
    expect(scopeGrants('*', 'anything')).toBe(true);
    expect(scopeGrants('documents:read', 'documents:*')).toBe(false);
  });

  it('evaluates and/or with precedence and parentheses', () => {
    expect(check('a and (b or c)', ['a', 'c'])).toBe(true);
    expect(check('a and (b or c)', ['b', 'c'])).toBe(false);
    expect(check('a and b or c', ['c'])).toBe(true); // and binds tighter
    expect(check('a or b and c', ['b'])).toBe(false);
    expect(check('A AND b', ['A', 'b'])).toBe(true);
    expect(check('documents:write and billing:read', ['documents:*', 'billing:read'])).toBe(true);
    expect(scopesIn(parseScopeExpression('a and (b or c)'))).toEqual(['a', 'b', 'c']);
  });

  it('refuses malformed expressions with a clear message', () => {
    for (const bad of ['', 'a and', '(a', 'a)', 'and a', 'a or or b', 'a b', 'a and (b or c))', 'bad scope!', '()']) {
      expect(() => parseScopeExpression(bad), bad).toThrow(ScopeSyntaxError);
    }
    expect(() => parseScopeExpression('('.repeat(40) + 'a' + ')'.repeat(40))).toThrow(/deeply/);
    expect(() => parseScopeExpression('a or '.repeat(300) + 'a')).toThrow(/too long/);
  });
});
