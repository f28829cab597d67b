import { describe, expect, it } from 'vitest';
import { compileRules, matchRoute, pathSegments, validateGatewayRoutes, type RouteRule } from './route-rules.js';

const rules: RouteRule[] = [
  { methods: ['GET', 'HEAD'], path: '/orders/**', scopes: 'orders:read' },
  { methods: ['POST'], path: '/orders/*/refunds', scopes: 'refunds:write' },
  { methods: ['POST'], path: '/orders/*', scopes: 'orders:write' },
  { path: '/' },
  { path: '/status' },
];
const compiled = compileRules(rules);
const match = (method: string, uri: string) => matchRoute(compiled, method, uri)?.rule;

describe('route rules', () => {
  it('the first rule that matches decides', () => {
    expect(match('GET', '/orders/1/refunds')).toBe(rules[0]);
    expect(match('POST', '/orders/1/refunds')).toBe(rules[1]);
    expect(match('POST', '/orders/1')).toBe(rules[2]);
    expect(match('post', '/orders/1')).toBe(rules[2]);
  });

  it('* is one segment, a last ** any rest, none included; literals are exact', () => {
    expect(match('GET', '/orders')).toBe(rules[0]);
    expect(match('GET', '/orders/')).toBe(rules[0]);
    expect(match('POST', '/orders')).toBeUndefined();
    expect(match('POST', '/orders/1/2')).toBeUndefined();
    expect(match('GET', '/Orders/1')).toBeUndefined();
    expect(match('GET', '/ordersx')).toBeUndefined();
    expect(match('DELETE', '/')).toBe(rules[3]);
    expect(match('PUT', '/status?verbose=1')).toBe(rules[4]);
    expect(match('PUT', '/status/more')).toBeUndefined();
  });

  it('matches the path the upstream sees: decoded, dot segments resolved, and refuses what is ambiguous', () => {
    expect(pathSegments('/a/./b/../c//d?x=/e#f')).toEqual(['a', 'c', 'd']);
    expect(pathSegments('/../../a')).toEqual(['a']);
    expect(pathSegments('/%6Frders/%41')).toEqual(['orders', 'A']);
    expect(pathSegments('/orders/%2e%2e/status')).toBeUndefined();
    expect(pathSegments('/orders/%2E/status')).toBeUndefined();
    expect(pathSegments('/a%2Fb')).toBeUndefined();
    expect(pathSegments('/a%5Cb')).toBeUndefined();
    expect(pathSegments('/%E0%A4%A')).toBeUndefined();
    expect(pathSegments('orders')).toBeUndefined();
    expect(pathSegments('http://x/orders')).toBeUndefined();
    expect(match('GET', '/status/../orders/1')).toBe(rules[0]);
    expect(match('POST', '/public/..%2Forders/1')).toBeUndefined();
  });

  it('validation names the first faulty rule and what is wrong with it', () => {
    const fault = (r: RouteRule[], keyHeader = 'authorization') => {
      try {
        validateGatewayRoutes(keyHeader, r);
        return undefined;
      } catch (err) {
        return (err as Error).message;
      }
    };
    expect(fault(rules)).toBeUndefined();
    expect(fault([{ path: '/a/**/b' }])).toMatch(/^rules\[0\]: \*\* may only be the last/);
    expect(fault([{ path: '/ok' }, { path: '/a*' }])).toMatch(/^rules\[1\]: "a\*"/);
    expect(fault([{ path: '/a/../b' }])).toMatch(/"\.\."/);
    expect(fault([{ path: 'a' }])).toMatch(/starts with \//);
    expect(fault([{ path: '/a', methods: [] }])).toMatch(/at least one method/);
    expect(fault([{ path: '/a', methods: ['get'] }])).toMatch(/upper case/);
    expect(fault([{ path: '/a', scopes: '(a or' }])).toMatch(/^rules\[0\]: scopes:/);
    expect(fault([{ path: '/a', scopes: '' }])).toBeUndefined();
    expect(fault([], 'tessera-gateway-key')).toMatch(/keyHeader/);
    expect(fault([], 'x-forwarded-for')).toMatch(/keyHeader/);
    expect(fault([], 'x-api-key')).toBeUndefined();
    expect(fault(Array.from({ length: 201 }, () => ({ path: '/' })))).toMatch(/At most 200/);
    const withAudience = (audience: string, keyHeader = 'authorization') => {
      try {
        validateGatewayRoutes(keyHeader, [], audience);
        return undefined;
      } catch (err) {
        return (err as Error).message;
      }
    };
    expect(withAudience('https://orders.example')).toBeUndefined();
    expect(withAudience('two words')).toMatch(/^audience/);
    expect(withAudience('')).toMatch(/^audience/);
    expect(withAudience('https://orders.example', 'x-api-key')).toMatch(/keyHeader must be authorization/);
  });
});
