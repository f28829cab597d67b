import { keyspaceAllowed } from '@tessera/core';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { actorOf } from '../http/auth.js';
import { IdParams, KeyspaceBody, KeyspaceView, Type } from '../http/schemas.js';
import { keyspaceView } from '../http/views.js';
import type { Services } from '../services.js';

/** Keyspaces: the groups keys are made in, each with its own prefix. */
export function keyspaceRoutes(services: Services): FastifyPluginAsync {
  return async (app0) => {
    const app = app0.withTypeProvider<TypeBoxTypeProvider>();

    app.post(
      '/v1/keyspaces',
      {
        config: { permission: 'keyspaces:manage', idempotent: true },
        schema: { tags: ['keyspaces'], summary: 'Create a keyspace', body: KeyspaceBody, response: { 201: KeyspaceView } },
      },
      async (request, reply) => reply.code(201).send(keyspaceView(await services.keys.createKeyspace(actorOf(request), request.body))),
    );

    app.get(
      '/v1/keyspaces',
      {
        config: { permission: 'keyspaces:read', keyspace: 'handler' },
        schema: { tags: ['keyspaces'], summary: 'List keyspaces', response: { 200: Type.Object({ items: Type.Array(KeyspaceView) }) } },
      },
      async (request) => ({
        items: (await services.keys.listKeyspaces(actorOf(request)))
          .filter((ks) => keyspaceAllowed(request.rootKey!, ks.id))
          .map(keyspaceView),
      }),
    );

    app.get(
      '/v1/keyspaces/:id',
      {
        config: { permission: 'keyspaces:read', keyspace: { keyspaceParam: 'id' } },
        schema: { tags: ['keyspaces'], summary: 'Get a keyspace', params: IdParams('id'), response: { 200: KeyspaceView } },
      },
      async (request) => keyspaceView(await services.keys.getKeyspace(actorOf(request), request.params.id)),
    );
  };
}
