import { CORS_POLICY, OAUTH_PATHS, OAuthError, type AuthorizationServer } from '@tessera/core';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '../../http/schemas.js';
import { oauthErrors, sendOAuthError } from './oauth-errors.js';

/** The endpoints a single-page app calls from its own origin, and the methods each takes. */
const CORS_ENDPOINTS = [
  { path: OAUTH_PATHS.token, methods: ['POST'], operationId: 'preflightToken', name: 'token endpoint' },
  { path: OAUTH_PATHS.revocation, methods: ['POST'], operationId: 'preflightRevocation', name: 'revocation endpoint' },
  { path: OAUTH_PATHS.userinfo, methods: ['GET', 'POST'], operationId: 'preflightUserInfo', name: 'UserInfo endpoint' },
] as const;

const CORS_PATHS: ReadonlySet<string> = new Set(CORS_ENDPOINTS.map((e) => e.path));

/** The client a request names: `client_id` in its form, else the user part of Basic. */
function namedClient(request: FastifyRequest): string | undefined {
  const params = request.body;
  const fromForm = params instanceof Map ? (params.get('client_id') as string[] | undefined)?.[0] : undefined;
  if (fromForm !== undefined) return fromForm;
  const m = /^basic\s+([A-Za-z0-9+/=]{1,1024})$/i.exec(request.headers.authorization ?? '');
  if (m === null) return undefined;
  const user = Buffer.from(m[1]!, 'base64').toString('utf8').split(':')[0]!;
  try {
    return decodeURIComponent(user);
  } catch {
    return undefined;
  }
}

/**
 * CORS for the token, revocation and userinfo endpoints (the Fetch standard's CORS protocol), for
 * the web origins clients registered and no other: a preflight (`OPTIONS`) is answered with the
 * methods and headers the endpoint takes when some live client registered the origin; an actual
 * request's answer carries `Access-Control-Allow-Origin` (the origin, exactly) when its client
 * registered the origin — at userinfo, which names no client, when any did. Never
 * `Access-Control-Allow-Credentials`: these endpoints take no cookies. Every answer says
 * `Vary: Origin`, since whether it carries the headers depends on it.
 */
export function corsRoutes(server: AuthorizationServer): FastifyPluginAsync {
  return async (app) => {
    for (const endpoint of CORS_ENDPOINTS) {
      app.options(
        endpoint.path,
        {
          schema: {
            operationId: endpoint.operationId,
            tags: ['oauth'],
            summary: `CORS preflight of the ${endpoint.name}`,
            description: `A browser asks whether a page may call the ${endpoint.name}. Answered with \`Access-Control-Allow-Origin\` (the origin, exactly), \`-Methods\`, \`-Headers\` and \`-Max-Age\` when a client registered the origin in \`webOrigins\`; without them otherwise, so the browser does not send the request.`,
            security: [],
            headers: Type.Object({
              origin: Type.Optional(Type.String({ description: 'The page’s origin.' })),
              'access-control-request-method': Type.Optional(Type.String({ description: 'The method the page means to use.' })),
              'access-control-request-headers': Type.Optional(Type.String({ description: 'The headers it means to send.' })),
            }),
            response: {
              204: {
                description: 'The preflight’s answer; the CORS headers only for a registered origin.',
                headers: {
                  'Access-Control-Allow-Origin': { type: 'string', description: 'The origin, when registered.' },
                  'Access-Control-Allow-Methods': { type: 'string', description: endpoint.methods.join(', ') },
                  'Access-Control-Allow-Headers': { type: 'string', description: CORS_POLICY.allowHeaders.join(', ') },
                  'Access-Control-Max-Age': { type: 'string', description: `${CORS_POLICY.maxAge} seconds.` },
                  Vary: { type: 'string', description: '`Origin`.' },
                },
              },
              ...oauthErrors('invalid_request'),
            },
          },
        },
        async (request, reply) => {
          const origin = request.headers.origin;
          const method = request.headers['access-control-request-method'];
          reply.header('vary', 'Origin');
          reply.header('cache-control', 'no-store');
          if (origin === undefined || method === undefined)
            return sendOAuthError(
              reply,
              new OAuthError('invalid_request', 'A CORS preflight sends Origin and Access-Control-Request-Method.'),
            );
          if ((endpoint.methods as readonly string[]).includes(method) && (await server.webOriginAllowed(origin, undefined))) {
            reply.header('access-control-allow-origin', origin);
            reply.header('access-control-allow-methods', endpoint.methods.join(', '));
            reply.header('access-control-allow-headers', CORS_POLICY.allowHeaders.join(', '));
            reply.header('access-control-max-age', String(CORS_POLICY.maxAge));
          }
          return reply.code(204).send();
        },
      );
    }
  };
}

/** The CORS headers of actual requests to the endpoints, on every answer, errors included; added where the endpoints are registered. */
export function addCorsHeaders(app: FastifyInstance, server: AuthorizationServer): void {
  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload) => {
    if (request.method === 'OPTIONS' || !CORS_PATHS.has(request.routeOptions.url ?? '')) return payload;
    reply.header('vary', 'Origin');
    const origin = request.headers.origin;
    if (origin === undefined) return payload;
    const clientId = request.routeOptions.url === OAUTH_PATHS.userinfo ? undefined : namedClient(request);
    // A request naming no client at the token or revocation endpoint is refused anyway; its answer stays closed.
    if (clientId === undefined && request.routeOptions.url !== OAUTH_PATHS.userinfo) return payload;
    if (await server.webOriginAllowed(origin, clientId)) {
      reply.header('access-control-allow-origin', origin);
      reply.header('access-control-expose-headers', CORS_POLICY.exposeHeaders.join(', '));
    }
    return payload;
  });
}
