import { OAUTH_PATHS, type AuthorizationServer } from '@tessera/core';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '../../http/schemas.js';
import type { Issuer } from './form-endpoint.js';

export const UserinfoSchema = Type.Object(
  {
    sub: Type.String({ description: 'The end user’s id.' }),
    name: Type.Optional(Type.String({ description: 'With `profile`, when the user has a name.' })),
    email: Type.Optional(Type.String({ description: 'With `email`.' })),
    email_verified: Type.Optional(Type.Boolean({ description: 'With `email`.' })),
  },
  {
    $id: 'UserInfo',
    description: 'Claims about the signed-in user (OIDC Core §5.3.2), as the token’s scopes allow.',
    examples: [{ sub: 'eu_0Hq4C7d8E9f0G1h2I3j4K5', name: 'Ada Lovelace', email: 'ada@example.com', email_verified: true }],
  },
);

const BearerError = Type.Object(
  { error: Type.String(), error_description: Type.String() },
  { examples: [{ error: 'invalid_token', error_description: 'The access token is invalid, expired or revoked.' }] },
);
const challenge = {
  'WWW-Authenticate': { type: 'string', description: 'RFC 6750 §3: `Bearer error="invalid_token", error_description="…"`.' },
};
const errors = {
  400: { description: 'The request is malformed.', headers: challenge, content: { 'application/json': { schema: BearerError } } },
  401: { description: 'No valid access token.', headers: challenge, content: { 'application/json': { schema: BearerError } } },
  403: { description: 'The token lacks `openid`.', headers: challenge, content: { 'application/json': { schema: BearerError } } },
};

/** The UserInfo endpoint (OIDC Core §5.3), by GET and POST, with the access token in the Authorization header only. */
export function userinfoRoutes(server: AuthorizationServer, issuer: Issuer): FastifyPluginAsync {
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const outcome = await server.userinfo(
      {
        authorization: request.headers.authorization,
        dpop: request.headers.dpop === undefined ? [] : (request.raw.headersDistinct.dpop ?? []),
        method: request.method,
        url: issuer() + OAUTH_PATHS.userinfo,
      },
      issuer(),
    );
    reply.header('cache-control', 'no-store');
    if (outcome.ok) return reply.code(200).type('application/json').send(outcome.claims);
    const scheme = /^dpop /i.test(request.headers.authorization ?? '') ? 'DPoP' : 'Bearer';
    reply.header('www-authenticate', `${scheme} error="${outcome.error}", error_description="${outcome.description.replace(/"/g, "'")}"`);
    return reply.code(outcome.status).type('application/json').send({ error: outcome.error, error_description: outcome.description });
  };
  return async (app) => {
    for (const method of ['GET', 'POST'] as const) {
      app.route({
        method,
        url: OAUTH_PATHS.userinfo,
        schema: {
          operationId: method === 'GET' ? 'getUserInfo' : 'postUserInfo',
          tags: ['oauth'],
          summary: `UserInfo endpoint (OIDC Core §5.3), by ${method}`,
          description:
            'Send an access token issued with `openid` as `Authorization: Bearer …` (or `DPoP …` with a proof, for a bound token).',
          security: [],
          response: { 200: { description: 'The claims.', content: { 'application/json': { schema: Type.Ref('UserInfo') } } }, ...errors },
        },
        handler,
      });
    }
  };
}
