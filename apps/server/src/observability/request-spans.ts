import type { Span } from '@opentelemetry/api';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { Tracing } from './tracing.js';

declare module 'fastify' {
  interface FastifyRequest {
    span?: Span;
  }
}

type Hook = (this: unknown, request: FastifyRequest, ...rest: unknown[]) => unknown;

/**
 * A server span for every request, named by its route template (`POST /v1/keys/{id}/revoke`, never
 * the path with its ids), ended with the response's status. The route's own hooks and handler run
 * inside it, so what they ask of the store and of Redis are its children. Registered only when
 * tracing is on: the request path pays nothing otherwise.
 */
export function traceRequests(app: FastifyInstance, tracing: Tracing): void {
  app.decorateRequest('span', undefined);
  app.addHook('onRequest', (request, _reply, done) => {
    const route = request.routeOptions.url === undefined ? 'unrouted' : request.routeOptions.url.replace(/:(\w+)/g, '{$1}');
    request.span = tracing.startRequest(request.method, route, request.headers);
    done();
  });
  app.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done) => {
    const span = request.span;
    if (span !== undefined) {
      span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) span.setStatus({ code: 2 }); // ERROR: a client's 4xx is not the server's failure
      span.end();
    }
    done();
  });
  const inSpan = (fn: Hook): Hook =>
    function (this: unknown, request, ...rest) {
      const span = request.span;
      return span === undefined ? fn.call(this, request, ...rest) : tracing.within(span, () => fn.call(this, request, ...rest));
    };
  const wrapAll = (hooks: unknown): unknown =>
    hooks === undefined ? undefined : Array.isArray(hooks) ? hooks.map((h) => inSpan(h as Hook)) : inSpan(hooks as Hook);
  app.addHook('onRoute', (route) => {
    route.onRequest = wrapAll(route.onRequest) as RouteOptions['onRequest'];
    route.preHandler = wrapAll(route.preHandler) as RouteOptions['preHandler'];
    route.handler = inSpan(route.handler as Hook) as RouteOptions['handler'];
  });
}
