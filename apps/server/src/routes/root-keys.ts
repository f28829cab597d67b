import type { FastifyPluginAsync } from 'fastify';
import { actorOf } from '../http/auth.js';
import { problems } from '../http/contract.js';
import { operations } from '../http/route-table.js';
import { Answer, IdParams } from '../http/schemas.js';
import { rootKeyView } from '../http/views.js';
import type { Services } from '../wiring/services.js';
import { RollRootKeyBody } from './key-schemas.js';
import { CreatedRootKey, ROOT_KEY_SCHEMAS, RootKey, RootKeyBody, RootKeyList } from './root-key-schemas.js';

/**
 * Root keys: the credentials of the management API, each limited to permissions and, optionally,
 * keyspaces. A root key grants, rolls and revokes only what it covers itself (no escalation).
 */
export function rootKeyRoutes(services: Services): FastifyPluginAsync {
  return operations({ tags: ['root keys'], schemas: ROOT_KEY_SCHEMAS }, (route) => {
    route.post(
      '/v1/root-keys',
      {
        permission: 'root_keys:manage',
        idempotent: true,
        keyspace: 'handler',
        operationId: 'createRootKey',
        summary: 'Create a root key',
        description: 'It holds at most what the creating root key holds: its permissions, keyspaces, lifetime.',
        body: RootKeyBody,
        response: { 201: Answer('The new root key: shown this once only.', CreatedRootKey), ...problems('NOT_FOUND') },
      },
      async (request, reply) => {
        const { expiresAt, ...rest } = request.body;
        const { record, key } = await services.rootKeys.create(actorOf(request), request.rootKey!, {
          ...rest,
          expiresAt: expiresAt === undefined || expiresAt === null ? null : Date.parse(expiresAt),
        });
        return reply.code(201).send({ id: record.id, key });
      },
    );

    route.post(
      '/v1/root-keys/:id/roll',
      {
        permission: 'root_keys:manage',
        idempotent: true,
        keyspace: 'handler',
        operationId: 'rollRootKey',
        summary: 'Roll a root key: a new key now, the old one expires after the grace period',
        description: 'A root key revoked, expired or rolled already is not rolled (`CONFLICT`).',
        params: IdParams('id'),
        body: RollRootKeyBody,
        response: { 201: Answer('The new root key: shown this once only.', CreatedRootKey), ...problems('NOT_FOUND', 'CONFLICT') },
      },
      async (request, reply) => {
        const { record, key } = await services.rootKeys.roll(
          actorOf(request),
          request.rootKey!,
          request.params.id,
          request.body.gracePeriodSeconds,
        );
        return reply.code(201).send({ id: record.id, key });
      },
    );

    route.get(
      '/v1/root-keys',
      {
        permission: 'root_keys:manage',
        keyspace: 'handler',
        operationId: 'listRootKeys',
        summary: 'List root keys',
        response: { 200: Answer('The root keys.', RootKeyList) },
      },
      async (request) => ({ items: (await services.rootKeys.list(request.rootKey!)).map(rootKeyView) }),
    );

    route.post(
      '/v1/root-keys/:id/revoke',
      {
        permission: 'root_keys:manage',
        idempotent: true,
        keyspace: 'handler',
        operationId: 'revokeRootKey',
        summary: 'Revoke a root key',
        description: 'Revoking a revoked root key changes nothing.',
        params: IdParams('id'),
        response: { 200: Answer('The revoked root key.', RootKey), ...problems('NOT_FOUND') },
      },
      async (request) => rootKeyView(await services.rootKeys.revoke(actorOf(request), request.rootKey!, request.params.id)),
    );
  });
}
