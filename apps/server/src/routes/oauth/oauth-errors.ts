import { OAUTH_ERROR_STATUS, OAuthError, TesseraError, type OAuthErrorCode } from '@tessera/core';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { OneOf, Type } from '../../http/schemas.js';
import { FORM } from './form-endpoint.js';

/**
 * The OAuth endpoints answer errors in the vocabulary of RFC 6749 §5.2 (clients and libraries
 * match on these names), as `application/json`, not as problem+json.
 */

const ERROR_CODES = Object.keys(OAUTH_ERROR_STATUS) as OAuthErrorCode[];

/** RFC 6749 §5.2 error answer. */
export const OAuthErrorSchema = Type.Object(
  {
    error: OneOf(ERROR_CODES, { description: 'RFC 6749 §5.2, RFC 7009 §2.2.1, RFC 8628 §3.5, RFC 8693 §2.2.2 and RFC 9449 §5, §8.' }),
    error_description: Type.String({ description: 'What went wrong, for a developer to read. Never holds a secret.' }),
  },
  {
    $id: 'OAuthError',
    description: 'An OAuth error (RFC 6749 §5.2).',
    examples: [{ error: 'invalid_grant', error_description: 'The refresh token is invalid, expired or revoked.' }],
  },
);

/** What each status's answer tells besides its body. */
const HEADERS: Partial<Record<number, Record<string, { type: 'string'; description: string }>>> = {
  400: { 'DPoP-Nonce': { type: 'string', description: 'With `use_dpop_nonce`: the nonce to put in the next DPoP proof (RFC 9449 §8).' } },
  401: {
    'WWW-Authenticate': { type: 'string', description: 'The client authentication scheme: `Basic realm="tessera", charset="UTF-8"`.' },
  },
};

/** The RFC 6749 error answers for these codes, grouped by HTTP status, for a route's `response`. */
export function oauthErrors(...codes: OAuthErrorCode[]): Record<number, unknown> {
  const byStatus = new Map<number, OAuthErrorCode[]>();
  for (const code of codes) byStatus.set(OAUTH_ERROR_STATUS[code], [...(byStatus.get(OAUTH_ERROR_STATUS[code]) ?? []), code]);
  const out: Record<number, unknown> = {};
  for (const [status, group] of byStatus) {
    const headers = group.includes('use_dpop_nonce') || status !== 400 ? HEADERS[status] : undefined;
    out[status] = {
      description: group.map((c) => `\`${c}\``).join(', '),
      ...(headers !== undefined && { headers }),
      content: { 'application/json': { schema: Type.Ref('OAuthError') } },
    };
  }
  return out;
}

/** Sends an OAuth error: never cached (RFC 6749 §5.2), with its own headers (`DPoP-Nonce`, `WWW-Authenticate`). */
export function sendOAuthError(reply: FastifyReply, error: OAuthError): FastifyReply {
  if (error.status === 401) reply.header('www-authenticate', `Basic realm="tessera", charset="UTF-8"`);
  for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
  reply.header('cache-control', 'no-store');
  reply.header('pragma', 'no-cache');
  return reply.code(error.status).type('application/json').send(error.toJSON());
}

/**
 * Every failure at an OAuth endpoint as an OAuth error: refusals as they are; Tessera's own and
 * Fastify's client errors (a body too large, of another type) as `invalid_request`; an unavailable
 * store as `temporarily_unavailable`; anything else as `server_error`, logged.
 */
export function oauthErrorHandler(error: FastifyError | TesseraError | OAuthError, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof OAuthError) return sendOAuthError(reply, error);
  if (error instanceof TesseraError) {
    if (error.code === 'STORE_UNAVAILABLE')
      return sendOAuthError(reply, new OAuthError('temporarily_unavailable', 'The store is unavailable; try again shortly.'));
    if (error.status < 500) return sendOAuthError(reply, new OAuthError('invalid_request', error.detail));
  }
  const status = (error as FastifyError).statusCode ?? 500;
  if (status < 500) {
    const why =
      status === 413 ? 'The request body is too large.' : status === 415 ? `Send the parameters as ${FORM}.` : 'The request is not valid.';
    return sendOAuthError(reply, new OAuthError('invalid_request', why));
  }
  request.log.error({ err: { type: error.name, message: error.message, stack: error.stack } }, 'unhandled error at an OAuth endpoint');
  return sendOAuthError(
    reply,
    new OAuthError('server_error', 'Something went wrong on our side; the error is logged with this request id.'),
  );
}
