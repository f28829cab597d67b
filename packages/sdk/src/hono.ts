import type { Context, MiddlewareHandler } from 'hono';
import type { Decision, GuardOptions, Identity, RequestView } from './middleware/guard.js';
import { middlewareFactory, type TesseraMiddleware } from './middleware/middleware-factory.js';

export type { GuardOptions, Identity, RequireAccessTokenOptions, RequireApiKeyOptions } from './middleware/guard.js';

/** The variables the middleware sets: `c.get('tessera')` is the verified caller. */
export type TesseraVariables = { Variables: { tessera: Identity } };

export interface HonoGuardOptions extends GuardOptions {
  /** The end client's address; by default the socket's, when running on @hono/node-server. */
  ip?: ((c: Context) => string | undefined) | undefined;
}

/**
 * Tessera for Hono: middleware that verifies an API key or an access token, sets the caller as
 * `c.get('tessera')`, and answers 401/403/429/503 with the right headers otherwise.
 *
 * @example
 * ```ts
 * import { tessera } from '@tessera/sdk/hono';
 * const { requireApiKey } = tessera({ baseUrl: 'http://127.0.0.1:8080', rootKey: process.env.TESSERA_ROOT_KEY });
 * app.get('/orders', requireApiKey({ scopes: 'orders:read' }), (c) => c.json(c.get('tessera')));
 * ```
 */
export function tessera(options: HonoGuardOptions): TesseraMiddleware<MiddlewareHandler<TesseraVariables>> {
  const ipOf = options?.ip ?? nodeSocketAddress;
  const view = (c: Context): RequestView => {
    const url = new URL(c.req.url);
    return {
      header: (name) => c.req.header(name),
      method: c.req.method,
      url: url.pathname + url.search,
      ip: ipOf(c),
      protocol: url.protocol.slice(0, -1),
    };
  };
  return middlewareFactory<MiddlewareHandler<TesseraVariables>>(
    options,
    (check) => async (c, next) => apply(await check(view(c)), c, next),
  );
}

async function apply(decision: Decision, c: Context, next: () => Promise<void>): Promise<Response | undefined> {
  if (!decision.ok) return new Response(JSON.stringify(decision.body), { status: decision.status, headers: decision.headers });
  c.set('tessera', decision.identity);
  await next();
  for (const [k, v] of Object.entries(decision.headers)) c.res.headers.set(k, v);
  return undefined;
}

/** @hono/node-server passes the Node request as `c.env.incoming`. */
function nodeSocketAddress(c: Context): string | undefined {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress;
}
