import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { actorOf } from '../http/auth.js';
import { problems } from '../http/contract.js';
import { Answer, IdParams } from '../http/schemas.js';
import { rootKeyView } from '../http/views.js';
import type { Services } from '../wiring/services.js';
import { RollRootKeyBody } from './key-schemas.js';
import { CreatedRootKey, ROOT_KEY_SCHEMAS, RootKey, RootKeyBody, RootKeyList } from './root-key-schemas.js';

const tags = ['root keys'];

/**
 * Root keys: the credentials of the management API, each limited to permissions and, optionally,
 * keyspaces. A root key grants, rolls and revokes only what it covers itself (no escalation).
 */
export function rootKeyRoutes(services: Services): FastifyPluginAsync {
  return async (app0) => {
    for (const schema of ROOT_KEY_SCHEMAS) app0.addSchema(schema);
    const app = app0.withTypeProvider<TypeBoxTypeProvider>();

    app.post(
      '/v1/root-keys',
      {
        config: { permission: 'root_keys:manage', idempotent: true, keyspace: 'handler' },
        schema: {
          operationId: 'createRootKey',
          tags,
          summary: 'Create a root key',
          description: 'It holds at most what the creating root key holds: its permissions, keyspaces, lifetime.',
          body: RootKeyBody,
          response: { 201: Answer('The new root key: shown this once only.', CreatedRootKey), ...problems('NOT_FOUND') },
        },
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

    app.post(
      '/v1/root-keys/:id/roll',
      {
        config: { permission: 'root_keys:manage', idempotent: true, keyspace: 'handler' },
        schema: {
          operationId: 'rollRootKey',
          tags,
          summary: 'Roll a root key: a new key now, the old one expires after the grace period',
          description: 'A root key revoked, expired or rolled already is not rolled (`CONFLICT`).',
          params: IdParams('id'),
          body: RollRootKeyBody,
          response: { 201: Answer('The new root key: shown this once only.', CreatedRootKey), ...problems('NOT_FOUND', 'CONFLICT') },
        },
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

    app.get(
      '/v1/root-keys',
      {
        config: { permission: 'root_keys:manage', keyspace: 'handler' },
        schema: { operationId: 'listRootKeys', tags, summary: 'List root keys', response: { 200: Answer('The root keys.', RootKeyList) } },
      },
      async (request) => ({ items: (await services.rootKeys.list(request.rootKey!)).map(rootKeyView) }),
    );

    app.post(
      '/v1/root-keys/:id/revoke',
      {
        config: { permission: 'root_keys:manage', idempotent: true, keyspace: 'handler' },
        schema: {
          operationId: 'revokeRootKey',
          tags,
          summary: 'Revoke a root key',
          description: 'Revoking a revoked root key changes nothing.',
          params: IdParams('id'),
          response: { 200: Answer('The revoked root key.', RootKey), ...problems('NOT_FOUND') },
        },
      },
      async (request) => rootKeyView(await services.rootKeys.revoke(actorOf(request), request.rootKey!, request.params.id)),
    );
  };
}
