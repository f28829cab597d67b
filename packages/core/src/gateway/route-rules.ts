import { TesseraError } from '../errors.js';
import { parseScopeExpression } from '../scopes/scope-expression.js';

/**
 * A gateway's route rule: the requests it covers (methods and a path pattern) and the scopes a key
 * needs for them. The first rule that matches a request decides; a request no rule matches is
 * refused (see `matchRoute`).
 */
export interface RouteRule {
  /** Upper-case method names; absent: every method. */
  methods?: string[];
  /**
   * A path pattern, segment by segment: a literal segment matches itself (case-sensitive), `*`
   * matches any one segment, and a last segment `**` matches any rest of the path, none included.
   */
  path: string;
  /** A scope or an expression such as `orders:read and (eu or us)`; absent or empty: any valid key. */
  scopes?: string;
}

/** A keyspace's gateway settings: where clients send their key, and the route rules. */
export interface GatewayRoutes {
  /** The header the client's key is read from, lower case: `authorization` (as `Bearer <key>`) or another, such as `x-api-key`. */
  keyHeader: string;
  rules: RouteRule[];
  /**
   * When set, Tessera's own OAuth access tokens (JWT) issued for this audience are accepted too, in
   * `Authorization: Bearer` (the key header must be `authorization`); absent: API keys only.
   */
  audience?: string;
  updatedAt: number;
}

export const DEFAULT_KEY_HEADER = 'authorization';
export const MAX_ROUTE_RULES = 200;

/** Headers a key may not be read from: the gateway's own credential, and what gateways and proxies set themselves. */
const RESERVED_HEADERS = new Set([
  'tessera-gateway-key',
  'tessera-gateway-mode',
  'host',
  'cookie',
  'x-forwarded-for',
  'x-forwarded-method',
  'x-forwarded-uri',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-original-method',
  'x-original-uri',
  'x-real-ip',
]);

export interface CompiledRule {
  readonly rule: RouteRule;
  readonly methods: ReadonlySet<string> | null;
  readonly segments: readonly string[];
  /** Whether the pattern ends in `**`. */
  readonly rest: boolean;
}

/** Checks rules and a key header as the API receives them; throws VALIDATION_FAILED naming the first fault. */
export function validateGatewayRoutes(keyHeader: string, rules: readonly RouteRule[], audience?: string): void {
  if (audience !== undefined) {
    if (!/^[\x21-\x7e]{1,256}$/.test(audience))
      throw new TesseraError(
        'VALIDATION_FAILED',
        'audience is the identifier access tokens name this API by, such as https://api.example.com.',
      );
    if (keyHeader !== DEFAULT_KEY_HEADER)
      throw new TesseraError(
        'VALIDATION_FAILED',
        'Access tokens come in Authorization: with an audience, keyHeader must be authorization.',
      );
  }
  if (!/^[a-z0-9-]{1,64}$/.test(keyHeader) || RESERVED_HEADERS.has(keyHeader))
    throw new TesseraError(
      'VALIDATION_FAILED',
      `keyHeader "${keyHeader}" cannot carry a client's key: use authorization, x-api-key or a header of your own.`,
    );
  if (rules.length > MAX_ROUTE_RULES) throw new TesseraError('VALIDATION_FAILED', `At most ${MAX_ROUTE_RULES} route rules.`);
  rules.forEach((rule, i) => {
    const fault = ruleFault(rule);
    if (fault !== undefined) throw new TesseraError('VALIDATION_FAILED', `rules[${i}]: ${fault}`);
  });
}

function ruleFault(rule: RouteRule): string | undefined {
  if (rule.methods !== undefined) {
    if (rule.methods.length === 0) return 'methods, when given, names at least one method (leave it out for every method)';
    const bad = rule.methods.find((m) => !/^[A-Z]{1,16}$/.test(m));
    if (bad !== undefined) return `"${bad}" is not a method name in upper case, such as GET`;
  }
  if (!rule.path.startsWith('/')) return 'path starts with /';
  const segments = patternSegments(rule.path);
  const rest = segments.indexOf('**');
  if (rest !== -1 && rest !== segments.length - 1) return '** may only be the last segment of a path';
  const bad = segments.find((s) => s !== '*' && s !== '**' && (s.includes('*') || s === '.' || s === '..'));
  if (bad !== undefined) return `"${bad}" is not a path segment a pattern can hold (* and ** stand alone)`;
  if (rule.scopes !== undefined && rule.scopes.trim() !== '') {
    try {
      parseScopeExpression(rule.scopes);
    } catch (err) {
      return `scopes: ${(err as Error).message}`;
    }
  }
  return undefined;
}

const patternSegments = (path: string) => path.split('/').filter((s) => s !== '');

/** Rules ready to match, in their order. */
export function compileRules(rules: readonly RouteRule[]): CompiledRule[] {
  return rules.map((rule) => {
    const segments = patternSegments(rule.path);
    const rest = segments[segments.length - 1] === '**';
    return {
      rule,
      methods: rule.methods === undefined ? null : new Set(rule.methods),
      segments: rest ? segments.slice(0, -1) : segments,
      rest,
    };
  });
}

/**
 * A request path as the upstream will see it, as segments: the query left out, each segment
 * percent-decoded, empty and `.` segments dropped and `..` resolved (RFC 3986 §5.2.4), so
 * `/public/../admin` is matched as `/admin`. Undefined for a path that is not one (no leading slash,
 * bad percent-encoding) or that upstreams may read differently (an encoded slash, backslash or dot
 * segment): no rule matches it.
 */
export function pathSegments(uri: string): string[] | undefined {
  const end = uri.search(/[?#]/);
  const path = end === -1 ? uri : uri.slice(0, end);
  if (!path.startsWith('/')) return undefined;
  const out: string[] = [];
  for (const raw of path.split('/')) {
    let s: string;
    try {
      s = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    // An encoded slash or dot segment means one thing here and may mean another upstream.
    if (s.includes('/') || s.includes('\\') || (s !== raw && (s === '.' || s === '..'))) return undefined;
    if (s === '' || s === '.') continue;
    if (s === '..') out.pop();
    else out.push(s);
  }
  return out;
}

/** The first rule covering `method` and `uri`; undefined when none does (the request is refused). */
export function matchRoute(rules: readonly CompiledRule[], method: string, uri: string): CompiledRule | undefined {
  const segments = pathSegments(uri);
  if (segments === undefined) return undefined;
  const m = method.toUpperCase();
  return rules.find((r) => (r.methods === null || r.methods.has(m)) && segmentsMatch(r, segments));
}

function segmentsMatch(rule: CompiledRule, segments: readonly string[]): boolean {
  if (rule.rest ? segments.length < rule.segments.length : segments.length !== rule.segments.length) return false;
  return rule.segments.every((p, i) => p === '*' || p === segments[i]);
}
