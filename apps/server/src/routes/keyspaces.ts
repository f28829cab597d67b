import { keyspaceAllowed } from '@tessera/core';
import type { FastifyPluginAsync } from 'fastify';
import { actorOf } from '../http/auth.js';
import { problems } from '../http/contract.js';
import { operations } from '../http/route-table.js';
import { Answer, IdParams } from '../http/schemas.js';
import { keyspaceView } from '../http/views.js';
import type { Services } from '../wiring/services.js';
import { Keyspace, KeyspaceBody, KeyspaceList, KEYSPACE_SCHEMAS } from './keyspace-schemas.js';

/** Keyspaces: the groups keys are made in, each with its own prefix. */
export function keyspaceRoutes(services: Services): FastifyPluginAsync {
  return operations({ tags: ['keyspaces'], schemas: KEYSPACE_SCHEMAS }, (route) => {
    route.post(
      '/v1/keyspaces',
      {
        permission: 'keyspaces:manage',
        idempotent: true,
        operationId: 'createKeyspace',
        summary: 'Create a keyspace',
        description: '`tessera` and every `tessera_…` prefix are reserved for Tessera’s own credentials.',
        body: KeyspaceBody,
        response: { 201: Answer('The new keyspace.', Keyspace) },
      },
      async (request, reply) => reply.code(201).send(keyspaceView(await services.keys.createKeyspace(actorOf(request), request.body))),
    );

    route.get(
      '/v1/keyspaces',
      {
        permission: 'keyspaces:read',
        keyspace: 'handler',
        operationId: 'listKeyspaces',
        summary: 'List keyspaces',
        response: { 200: Answer('The keyspaces.', KeyspaceList) },
      },
      async (request) => ({
        items: (await services.keys.listKeyspaces(actorOf(request)))
          .filter((ks) => keyspaceAllowed(request.rootKey!, ks.id))
          .map(keyspaceView),
      }),
    );

    route.get(
      '/v1/keyspaces/:id',
      {
        permission: 'keyspaces:read',
        keyspace: { keyspaceParam: 'id' },
        operationId: 'getKeyspace',
        summary: 'Get a keyspace',
        params: IdParams('id'),
        response: { 200: Answer('The keyspace.', Keyspace), ...problems('NOT_FOUND') },
      },
      async (request) => keyspaceView(await services.keys.getKeyspace(actorOf(request), request.params.id)),
    );
  });
}
