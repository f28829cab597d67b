import { JWT_BEARER_ASSERTION, OAuthError, type EndpointAnswer, type TokenRequest } from '@tessera/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OneOf, Type } from '../../http/schemas.js';

/** The issuer's URL, as the endpoints name themselves (known once the server listens). */
export type Issuer = () => string;

export const FORM = 'application/x-www-form-urlencoded';

/** Parameters RFC 8693 and RFC 8707 allow more than once; every other one appears at most once (RFC 6749 §3.1). */
const REPEATABLE = new Set(['audience', 'resource']);
/** Longest value of any one parameter; assertions and ML-DSA-signed tokens are the longest legitimate ones. */
const MAX_PARAM_LENGTH = 16_384;
const MAX_PARAMS = 32;

export const Param = (description: string) => Type.Optional(Type.String({ description }));

/** How a client authenticates at the token, introspection and revocation endpoints: one of these, or HTTP Basic. */
export const clientAuthParams = {
  client_id: Param('With `client_secret_post` or `private_key_jwt`; with Basic, it must match the header when sent.'),
  client_secret: Param('`client_secret_post` (RFC 6749 §2.3.1).'),
  client_assertion_type: Type.Optional(OneOf([JWT_BEARER_ASSERTION] as const, { description: '`private_key_jwt` (RFC 7523 §2.2).' })),
  client_assertion: Param('`private_key_jwt`: a JWT signed with a key the client registered, used once.'),
};

/** A token to introspect or revoke, and the client's authentication. */
export const TokenForm = (what: string, example: string) =>
  Type.Object(
    {
      token: Type.String({ description: 'An access token (JWT or opaque) or a refresh token.' }),
      token_type_hint: Type.Optional(Type.String({ description: 'Accepted and not needed: Tessera tells tokens apart by their shape.' })),
      ...clientAuthParams,
    },
    { description: `${what}, as ${FORM}.`, examples: [{ token: example }] },
  );

/** Parses form bodies into a map of every value of each name, so a repeated parameter is seen. */
export function addFormParser(app: FastifyInstance): void {
  app.addContentTypeParser(FORM, { parseAs: 'string' }, (_request, body, done) => {
    const params = new Map<string, string[]>();
    for (const [name, value] of new URLSearchParams(body as string)) {
      const values = params.get(name);
      if (values === undefined) params.set(name, [value]);
      else values.push(value);
    }
    done(null, params);
  });
}

/**
 * What the authorization server reads of a request: its form parameters (checked here: each at
 * most once unless repeatable, none too long, not too many; an empty one is absent), its
 * `Authorization` header, every `DPoP` header, the method and the caller's address.
 */
export function tokenRequest(request: FastifyRequest): TokenRequest {
  const body = request.body;
  if (!(body instanceof Map)) throw new OAuthError('invalid_request', `Send the parameters as ${FORM}.`);
  const params = body as Map<string, string[]>;
  if (params.size > MAX_PARAMS) throw new OAuthError('invalid_request', 'Too many parameters.');
  for (const [name, values] of params) {
    if (values.length > 1 && !REPEATABLE.has(name))
      throw new OAuthError('invalid_request', `The parameter ${name.slice(0, 64)} appears more than once.`);
    if (name.length > 64 || values.some((v) => v.length > MAX_PARAM_LENGTH))
      throw new OAuthError('invalid_request', 'A parameter is too long.');
    if (values.some((v) => v === '')) params.delete(name); // RFC 6749 §3.1: empty parameters are treated as omitted
  }
  // Every DPoP header, to refuse more than one (RFC 9449 §4.3); Node builds the distinct view of
  // all headers on first use, so only when there is one.
  const dpop = request.headers.dpop === undefined ? [] : (request.raw.headersDistinct.dpop ?? []);
  return { params, authorization: request.headers.authorization, dpop, method: request.method, ip: request.ip };
}

/**
 * A handler for a form-taking endpoint: reads the request, lets the authorization server answer,
 * and sends its body (never cached: `Cache-Control: no-store` is on every answer, `Pragma` here).
 */
export function formEndpoint(issuer: Issuer, run: (req: TokenRequest, issuer: string) => Promise<EndpointAnswer<object>>) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const answer = await run(tokenRequest(request), issuer());
    reply.header('pragma', 'no-cache');
    for (const [name, value] of Object.entries(answer.headers)) reply.header(name, value);
    return reply
      .code(answer.status ?? 200)
      .type('application/json')
      .send(answer.body);
  };
}
