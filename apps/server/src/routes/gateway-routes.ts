import type { GatewayRoutes } from '@tessera/core';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { actorOf } from '../http/auth.js';
import { problems } from '../http/contract.js';
import { IdParams } from '../http/schemas.js';
import type { Services } from '../wiring/services.js';
import { GatewayRoutesAnswer, GatewayRoutesBody } from './gateway-schemas.js';

const tags = ['gateway'];
const params = IdParams('keyspaceId');
const keyspace = { keyspaceParam: 'keyspaceId' };

const routesView = (keyspaceId: string, r: GatewayRoutes) => ({
  keyspaceId,
  keyHeader: r.keyHeader,
  rules: r.rules,
  audience: r.audience ?? null,
  updatedAt: r.updatedAt === 0 ? null : new Date(r.updatedAt).toISOString(),
});

/** A keyspace's gateway routes: the key header and the rules that map requests to the scopes they need. */
export function gatewayRouteRoutes(services: Services): FastifyPluginAsync {
  return async (app0) => {
    const app = app0.withTypeProvider<TypeBoxTypeProvider>();
    app.get(
      '/v1/keyspaces/:keyspaceId/gateway-routes',
      {
        config: { permission: 'keyspaces:read', keyspace },
        schema: {
          operationId: 'getGatewayRoutes',
          tags,
          summary: "A keyspace's gateway routes (none until set: every request is refused)",
          params,
          response: { 200: GatewayRoutesAnswer, ...problems('NOT_FOUND') },
        },
      },
      async (request) => routesView(request.params.keyspaceId, await services.gateway.get(actorOf(request), request.params.keyspaceId)),
    );

    app.put(
      '/v1/keyspaces/:keyspaceId/gateway-routes',
      {
        config: { permission: 'keyspaces:manage', idempotent: true, keyspace },
        schema: {
          operationId: 'putGatewayRoutes',
          tags,
          summary: "Replace a keyspace's gateway routes: the key header and the route rules, first match wins",
          params,
          body: GatewayRoutesBody,
          response: { 200: GatewayRoutesAnswer, ...problems('NOT_FOUND', 'VALIDATION_FAILED') },
        },
      },
      async (request) =>
        routesView(request.params.keyspaceId, await services.gateway.put(actorOf(request), request.params.keyspaceId, request.body)),
    );
  };
}
