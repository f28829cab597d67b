import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { actorOf } from '../http/auth.js';
import { IdParams, RootKeyBody, RootKeyView, Type } from '../http/schemas.js';
import { rootKeyView } from '../http/views.js';
import type { Services } from '../services.js';

/** Root keys: the credentials of the management API, each limited to permissions and, optionally, keyspaces. */
export function rootKeyRoutes(services: Services): FastifyPluginAsync {
  return async (app0) => {
    const app = app0.withTypeProvider<TypeBoxTypeProvider>();

    app.post(
      '/v1/root-keys',
      {
        config: { permission: 'root_keys:manage', idempotent: true, keyspace: 'handler' },
        schema: {
          tags: ['root keys'],
          summary: 'Create a root key',
          body: RootKeyBody,
          response: { 201: Type.Object({ id: Type.String(), key: Type.String() }) },
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
          tags: ['root keys'],
          summary: 'Roll a root key: a new key now, the old one expires after the grace period',
          params: IdParams('id'),
          body: Type.Object({ gracePeriodSeconds: Type.Integer({ minimum: 0, maximum: 30 * 86_400 }) }, { additionalProperties: false }),
          response: { 201: Type.Object({ id: Type.String(), key: Type.String() }) },
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
        schema: { tags: ['root keys'], summary: 'List root keys', response: { 200: Type.Object({ items: Type.Array(RootKeyView) }) } },
      },
      async (request) => ({ items: (await services.rootKeys.list(request.rootKey!)).map(rootKeyView) }),
    );

    app.post(
      '/v1/root-keys/:id/revoke',
      {
        config: { permission: 'root_keys:manage', idempotent: true, keyspace: 'handler' },
        schema: { tags: ['root keys'], summary: 'Revoke a root key', params: IdParams('id'), response: { 200: RootKeyView } },
      },
      async (request) => rootKeyView(await services.rootKeys.revoke(actorOf(request), request.rootKey!, request.params.id)),
    );
  };
}
