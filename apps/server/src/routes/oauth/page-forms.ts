import { TesseraError, type AuthorizationServer } from '@tessera/core';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { TSchema } from 'typebox';
import { Type } from '../../http/schemas.js';
import { FORM, type Issuer } from './form-endpoint.js';
import { errorPage, readCookie, sendPage, setCookie } from './hosted-pages.js';

/** A hosted page as an answer in the OpenAPI document. */
export const HtmlAnswer = (description: string, example: string) => ({
  description,
  content: { 'text/html': { schema: Type.String({ examples: [example] }) } },
});

/** A hosted page's form as the OpenAPI document shows it: its CSRF token and its fields. */
export const CsrfForm = (fields: Record<string, TSchema>, example: Record<string, string>) =>
  Type.Object({ csrf: Type.String(), ...fields }, { description: `The page's form, as ${FORM}.`, examples: [example] });

/** The largest form value read: an authorization request's query is the longest legitimate one. */
const MAX_FIELD = 16_384;

/** The CSRF token for a page's form, setting the browser's CSRF cookie first when it has none. */
export function pageCsrf(sessions: AuthorizationServer['sessions'], issuer: Issuer, request: FastifyRequest, reply: FastifyReply): string {
  let cookie = readCookie(request, issuer(), 'csrf');
  if (cookie === undefined || cookie.length > 64) {
    cookie = sessions.newCsrfCookie();
    setCookie(request, reply, issuer(), 'csrf', cookie, 3600);
  }
  return sessions.csrfToken(cookie);
}

/**
 * A posted page form: its fields (each sent once), once its CSRF token is the one that goes with
 * this browser's cookie; else the 403 page is sent and the reply returned.
 */
export function pageForm(
  sessions: AuthorizationServer['sessions'],
  issuer: Issuer,
  request: FastifyRequest,
  reply: FastifyReply,
): Map<string, string> | FastifyReply {
  const body = request.body;
  const fields = new Map<string, string>();
  if (body instanceof Map)
    for (const [k, v] of body as Map<string, string[]>) if (v.length === 1 && v[0]!.length <= MAX_FIELD) fields.set(k, v[0]!);
  if (!sessions.csrfMatches(readCookie(request, issuer(), 'csrf'), fields.get('csrf')))
    return sendPage(
      reply,
      403,
      errorPage('This form was not sent from its page, or it expired. Go back to the application and try again.'),
    );
  return fields;
}

/** A hosted page's form handler: `handle` gets the fields once {@link pageForm} accepts them; else the 403 page is the answer. */
export const formHandler =
  (sessions: AuthorizationServer['sessions'], issuer: Issuer) =>
  <T>(handle: (fields: Map<string, string>, request: FastifyRequest, reply: FastifyReply) => Promise<T>) =>
  async (request: FastifyRequest, reply: FastifyReply): Promise<T | FastifyReply> => {
    const fields = pageForm(sessions, issuer, request, reply);
    return fields instanceof Map ? handle(fields, request, reply) : fields;
  };

/** The OpenAPI operation of a hosted page's form post: open to any browser, its body a form. */
export const pageFormOperation = (
  operationId: string,
  summary: string,
  description: string,
  body: TSchema,
  response: Record<number, unknown>,
) => ({ operationId, tags: ['oauth'], summary, description, security: [], consumes: [FORM], body, response });

/** The page for a network that failed too often to be checked now. */
export const throttledPage = (reply: FastifyReply) =>
  sendPage(reply, 429, errorPage('Too many failed sign-ins from your network. Try again in a few minutes.'));

/** The session cookie's lifetime, the sign-in's (8 hours). */
export const SESSION_S = 8 * 3600;

/**
 * Answers a sign-in or second-factor form: too many failures from the network, or wrong codes for
 * the user (429, nothing was checked), the form again when refused, or the session cookie set and the next page.
 */
export function signInAnswer<S>(
  request: FastifyRequest,
  reply: FastifyReply,
  issuer: Issuer,
  outcome: { ok: true; cookie: string; step: S } | { ok: false; throttled: boolean },
  pages: { refused: () => FastifyReply; next: (step: S) => FastifyReply },
): FastifyReply {
  if (!outcome.ok) return outcome.throttled ? throttledPage(reply) : pages.refused();
  setCookie(request, reply, issuer(), 'session', outcome.cookie, SESSION_S);
  return pages.next(outcome.step);
}

/**
 * Errors of the hosted pages: the request's own fault (a key in the URL, a body too large, a
 * malformed form) is a page with that status; only what is ours is logged as an error.
 */
export function pageErrorHandler(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) {
  const status = error instanceof TesseraError ? error.status : (error as FastifyError).statusCode;
  if (status !== undefined && status >= 400 && status < 500)
    return sendPage(reply, status, errorPage(error instanceof TesseraError ? error.detail : 'This request is not valid.'));
  request.log.error({ err: { type: error.name, message: error.message } }, 'error on a hosted page');
  return sendPage(reply, 500, errorPage('Something went wrong on our side. Try again in a moment.'));
}
