import type { Permission } from '@tessera/api';
import { AuthFailureThrottle } from '@tessera/core';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { Config } from '../config.js';
import type { Services } from '../wiring/services.js';
import { authorize } from './auth.js';
import { declareCommonProblems, declarePermissions } from './contract.js';
import { IdempotencyKeyHeader, idempotencyHooks } from './idempotency.js';
import { checkKeyspaceScope } from './keyspace-scope.js';

/** A route's hooks of one kind with `hook` added last (Fastify takes one hook or a list). */
function withHook<H>(existing: H | H[] | undefined, hook: H): H[] {
  return [...(existing === undefined ? [] : Array.isArray(existing) ? existing : [existing]), hook];
}

/**
 * As each route is registered, what its config asks for is attached to it alone: authentication
 * and the keyspace scope (`permission`), the Idempotency-Key hooks (`idempotent`), the problem
 * answers of those hooks in its contract, and its access log line. The verify path and the public
 * routes pay for nothing they do not use.
 */
export function attachRouteHooks(
  app: FastifyInstance,
  o: { services: Services; config: Config; logRequest: (request: FastifyRequest, reply: FastifyReply) => Promise<void> },
): void {
  const { services, config, logRequest } = o;
  const idempotency = idempotencyHooks(services);
  const authThrottle = new AuthFailureThrottle(services.clock, {
    limit: config.adminAuthFailureLimit,
    windowMs: config.adminAuthWindowSeconds * 1000,
  });
  app.addHook('onRoute', (route) => {
    const permission = route.config?.permission;
    if (permission !== undefined) {
      const permissions: readonly Permission[] = typeof permission === 'string' ? [permission] : permission;
      declarePermissions(route, permissions);
      // A callback hook: a cached root key is checked without a promise (see `authorize`).
      route.onRequest = withHook<unknown>(route.onRequest, (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => {
        let pending: void | Promise<void>;
        try {
          pending = authorize(services, authThrottle, request, reply, permissions, route.config?.credential);
        } catch (err) {
          return done(err as Error);
        }
        if (pending === undefined) return done();
        pending.then(() => done(), done);
      }) as RouteOptions['onRequest'];
      // After validation, so the body is there: a root key limited to keyspaces reaches only those.
      // A route whose handler narrows to them itself (verify among them) pays for no extra hook.
      const keyspace = route.config?.keyspace;
      if (keyspace !== 'handler')
        route.preHandler = withHook<unknown>(route.preHandler, async (request: FastifyRequest) =>
          checkKeyspaceScope(services, request, keyspace),
        ) as RouteOptions['preHandler'];
    }
    // Only the routes that take an Idempotency-Key run its hooks; the others (verify above all) pay nothing.
    if (route.config?.idempotent === true) {
      const headers = route.schema?.headers;
      route.schema = { ...route.schema, headers: headers === undefined ? IdempotencyKeyHeader : headers };
      route.preHandler = withHook<unknown>(route.preHandler, idempotency.claimIdempotencyKey) as RouteOptions['preHandler'];
      route.onSend = withHook<unknown>(route.onSend, idempotency.keepIdempotentOutcome) as RouteOptions['onSend'];
    }
    declareCommonProblems(route, {
      authenticated: permission !== undefined,
      idempotent: route.config?.idempotent === true,
      store: permission !== undefined,
    });
    if (config.logRequests && route.url !== '/v1/keys/verify' && route.config?.credential !== 'gateway' && route.url !== '/metrics') {
      route.onResponse = withHook<unknown>(route.onResponse, logRequest) as RouteOptions['onResponse'];
    }
  });
}
