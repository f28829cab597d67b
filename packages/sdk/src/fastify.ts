import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { Decision, GuardOptions, Identity, RequestView } from './middleware/guard.js';
import { middlewareFactory, type TesseraMiddleware } from './middleware/middleware-factory.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller verified by `requireApiKey` or `requireAccessToken`. */
    tessera?: Identity;
  }
}

export type { GuardOptions, Identity, RequireAccessTokenOptions, RequireApiKeyOptions } from './middleware/guard.js';

/**
 * Tessera for Fastify: `preHandler` hooks that verify an API key or an access token, put the
 * caller on `request.tessera`, and answer 401/403/429/503 with the right headers otherwise.
 *
 * @example
 * ```ts
 * import { tessera } from '@tessera/sdk/fastify';
 * const { requireApiKey } = tessera({ baseUrl: 'http://127.0.0.1:8080', rootKey: process.env.TESSERA_ROOT_KEY });
 * app.get('/orders', { preHandler: requireApiKey({ scopes: 'orders:read' }) }, async (request) => request.tessera);
 * ```
 */
export function tessera(options: GuardOptions): TesseraMiddleware<preHandlerAsyncHookHandler> {
  return middlewareFactory<preHandlerAsyncHookHandler>(options, (check) => async (request, reply) => {
    await apply(await check(view(request)), request, reply);
  });
}

function view(request: FastifyRequest): RequestView {
  return { header: (name) => request.headers[name], method: request.method, url: request.url, ip: request.ip, protocol: request.protocol };
}

async function apply(decision: Decision, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  reply.headers(decision.headers);
  if (decision.ok) {
    request.tessera = decision.identity;
    return;
  }
  await reply.code(decision.status).send(decision.body);
}
