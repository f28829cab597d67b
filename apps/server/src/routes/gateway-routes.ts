import type { GatewayRoutes } from '@tessera/core';
import type { FastifyPluginAsync } from 'fastify';
import { actorOf } from '../http/auth.js';
import { problems } from '../http/contract.js';
import { operations } from '../http/route-table.js';
import { IdParams } from '../http/schemas.js';
import type { Services } from '../wiring/services.js';
import { GatewayRoutesAnswer, GatewayRoutesBody } from './gateway-schemas.js';

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
  return operations({ tags: ['gateway'] }, (route) => {
    route.get(
      '/v1/keyspaces/:keyspaceId/gateway-routes',
      {
        permission: 'keyspaces:read',
        keyspace,
        operationId: 'getGatewayRoutes',
        summary: "A keyspace's gateway routes (none until set: every request is refused)",
        params,
        response: { 200: GatewayRoutesAnswer, ...problems('NOT_FOUND') },
      },
      async (request) => routesView(request.params.keyspaceId, await services.gateway.get(actorOf(request), request.params.keyspaceId)),
    );

    route.put(
      '/v1/keyspaces/:keyspaceId/gateway-routes',
      {
        permission: 'keyspaces:manage',
        idempotent: true,
        keyspace,
        operationId: 'putGatewayRoutes',
        summary: "Replace a keyspace's gateway routes: the key header and the route rules, first match wins",
        params,
        body: GatewayRoutesBody,
        response: { 200: GatewayRoutesAnswer, ...problems('NOT_FOUND', 'VALIDATION_FAILED') },
      },
      async (request) =>
        routesView(request.params.keyspaceId, await services.gateway.put(actorOf(request), request.params.keyspaceId, request.body)),
    );
  });
}
