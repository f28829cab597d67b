import type { GatewayRoutes } from '@tessera/core';
import type { FastifyPluginAsync } from 'fastify';
import { operations } from '../http/route-table.js';
import type { Services } from '../wiring/services.js';
import { GatewayRoutesAnswer, GatewayRoutesBody } from './gateway-schemas.js';
import { keyspaceSettingsRoutes } from './keyspace-settings.js';

const routesView = (r: GatewayRoutes, keyspaceId: string) => ({
  keyspaceId,
  keyHeader: r.keyHeader,
  rules: r.rules,
  audience: r.audience ?? null,
  updatedAt: r.updatedAt === 0 ? null : new Date(r.updatedAt).toISOString(),
});

/** A keyspace's gateway routes: the key header and the rules that map requests to the scopes they need. */
export function gatewayRouteRoutes(services: Services): FastifyPluginAsync {
  return operations({ tags: ['gateway'] }, (route) =>
    keyspaceSettingsRoutes(route, '/v1/keyspaces/:keyspaceId/gateway-routes', {
      service: services.gateway,
      answer: GatewayRoutesAnswer,
      view: routesView,
      read: { operationId: 'getGatewayRoutes', summary: "A keyspace's gateway routes (none until set: every request is refused)" },
      write: {
        method: 'put',
        operationId: 'putGatewayRoutes',
        summary: "Replace a keyspace's gateway routes: the key header and the route rules, first match wins",
        body: GatewayRoutesBody,
        problems: ['VALIDATION_FAILED'],
      },
    }),
  );
}
