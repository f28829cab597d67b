import { ERROR_STATUS, ERROR_TITLES, type ErrorCode } from '@tessera/api';
import type { RouteOptions } from 'fastify';
import { Type } from 'typebox';

/**
 * What every route declares in its schema besides its success answer: the problem+json answers it
 * can give. A route names the ones its own handler gives (`problems('NOT_FOUND', 'CONFLICT')`);
 * the ones that come from shared hooks (authentication, validation, idempotency) are added to every
 * route that runs those hooks by `declareCommonProblems`, where the hooks are attached.
 */

const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

/** RFC 9457 problem details, with Tessera's stable `code` as an extension member. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: 'A URN naming the error: `urn:tessera:error:<code in kebab case>`.' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String({ description: 'What went wrong, for a person to read. Never holds a secret.' }),
    code: Type.Union(
      ERROR_CODES.map((c) => Type.Literal(c)),
      { description: 'Stable: scripts match on it (docs/errors.md lists every code).' },
    ),
    instance: Type.Optional(Type.String()),
    requestId: Type.Optional(Type.String({ description: 'The request id, as in the `X-Request-Id` header.' })),
  },
  {
    $id: 'Problem',
    examples: [
      {
        type: 'urn:tessera:error:not-found',
        title: 'Not found',
        status: 404,
        detail: 'No such key.',
        code: 'NOT_FOUND',
        requestId: 'req-5x2kq9',
      },
    ],
  },
);

interface ResponseEntry {
  description: string;
  content: Record<string, { schema: unknown }>;
}

/** The problem+json answers for these codes, grouped by HTTP status, for a route's `response`. */
export function problems(...codes: ErrorCode[]): Record<number, ResponseEntry> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
  const out: Record<number, ResponseEntry> = {};
  for (const [status, group] of byStatus) {
    out[status] = {
      description: group.map((c) => `\`${c}\`: ${ERROR_TITLES[c]}`).join('; '),
      content: { 'application/problem+json': { schema: Type.Ref('Problem') } },
    };
  }
  return out;
}

const isProblem = (entry: unknown): entry is ResponseEntry =>
  typeof entry === 'object' && entry !== null && 'content' in entry && 'application/problem+json' in (entry as ResponseEntry).content;

/** Merges problem answers into a route's responses: one entry a status, naming every code it can carry. */
function withProblems(route: RouteOptions, codes: ErrorCode[]): void {
  const schema = (route.schema ?? {}) as { response?: Record<string | number, unknown> };
  const response: Record<string | number, unknown> = { ...schema.response };
  for (const [status, entry] of Object.entries(problems(...codes))) {
    const own = response[status];
    if (own === undefined) response[status] = entry;
    else if (isProblem(own) && !own.description.includes(entry.description))
      response[status] = { ...own, description: `${own.description}; ${entry.description}` };
  }
  route.schema = { ...schema, response } as RouteOptions['schema'];
}

/** Methods that change nothing: a console session needs no CSRF token for them. */
export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Declares the answers of the hooks a route runs: validation (400) for a route with a schema for
 * its input, a body's size and type (413, 415), authentication and permission (401, 403, 429),
 * a console session and its CSRF token (401, 403), idempotency (409, 422), and the store (503)
 * and internal errors (500) for any route that reaches the store. Called from the `onRoute` hook
 * that attaches those hooks.
 */
export function declareCommonProblems(
  route: RouteOptions,
  uses: {
    authenticated: boolean;
    idempotent: boolean;
    store: boolean;
    /** The console session the route needs: `half` checks the CSRF token on every call, `full` on a change. */
    consoleSession?: 'full' | 'half' | undefined;
    /** Whether the session's user needs a permission of their role (403 without it; a full session may answer 403 anyway). */
    consolePermission?: boolean;
  },
): void {
  const schema = (route.schema ?? {}) as Record<string, unknown>;
  const codes: ErrorCode[] = [];
  if (schema.body !== undefined || schema.querystring !== undefined || schema.params !== undefined) codes.push('VALIDATION_FAILED');
  if (schema.body !== undefined) codes.push('BODY_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE');
  if (uses.authenticated) codes.push('UNAUTHORIZED', 'FORBIDDEN', 'RATE_LIMITED');
  if (uses.consoleSession !== undefined) {
    codes.push('UNAUTHORIZED');
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (uses.consoleSession === 'half' || methods.some((m) => !SAFE_METHODS.has(m))) codes.push('CSRF_FAILED');
    // A full session is refused a workspace (`Tessera-Workspace`) it does not reach, as a root key is.
    if (uses.consolePermission === true || uses.consoleSession === 'full') codes.push('FORBIDDEN');
  }
  if (uses.idempotent) codes.push('IDEMPOTENCY_KEY_IN_PROGRESS', 'IDEMPOTENCY_KEY_REUSED');
  if (uses.store) codes.push('INTERNAL', 'STORE_UNAVAILABLE');
  if (codes.length > 0) withProblems(route, codes);
}

/**
 * Names the permissions a route's root key needs in its security requirement (OpenAPI 3.1 lets any
 * scheme list the roles it requires), so the document and `/docs` say which permission each
 * operation takes. Every one listed is needed. A route that declares its own security keeps it.
 */
export function declarePermissions(route: RouteOptions, permissions: readonly string[]): void {
  const schema = (route.schema ?? {}) as Record<string, unknown>;
  if (schema.security === undefined) route.schema = { ...schema, security: [{ rootKey: [...permissions] }] } as RouteOptions['schema'];
}
