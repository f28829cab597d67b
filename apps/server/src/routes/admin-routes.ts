import { isAuditAction, keyspaceAllowed, TesseraError, verifyAuditLog } from '@tessera/core';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { actorOf } from '../http/auth.js';
import { decodeSeqCursor, encodeSeqCursor } from '../http/cursor.js';
import { AuditEntry, Cursor, IdParams, KeyspaceBody, KeyspaceView, Limit, RootKeyBody, RootKeyView, Text, Type } from '../http/schemas.js';
import { auditView, keyspaceView, rootKeyView } from '../http/views.js';
import type { Services } from '../services.js';
import { AuditReportView } from './custody-routes.js';

/** Root keys, keyspaces and the audit log. */
export function adminRoutes(services: Services): FastifyPluginAsync {
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

    app.get(
      '/v1/audit',
      {
        config: { permission: 'audit:read' },
        schema: {
          tags: ['audit'],
          summary: 'Read the audit log, newest first',
          querystring: Type.Object(
            {
              limit: Type.Optional(Limit),
              cursor: Type.Optional(Cursor),
              action: Type.Optional(Type.String({ maxLength: 64 })),
              actor: Type.Optional(Text({ maxLength: 128 })),
            },
            { additionalProperties: false },
          ),
          response: { 200: Type.Object({ items: Type.Array(AuditEntry), nextCursor: Type.Union([Type.String(), Type.Null()]) }) },
        },
      },
      async (request) => {
        const { limit = 100, cursor, action, actor } = request.query;
        if (action !== undefined && !isAuditAction(action)) throw new TesseraError('VALIDATION_FAILED', `unknown audit action "${action}"`);
        const items = await services.store.listAudit({
          workspaceId: request.rootKey!.workspaceId,
          limit: limit + 1,
          beforeSeq: cursor === undefined ? undefined : decodeSeqCursor(cursor),
          action,
          actor,
        });
        const page = items.slice(0, limit);
        return { items: page.map(auditView), nextCursor: items.length > limit ? encodeSeqCursor(page[page.length - 1]!.seq) : null };
      },
    );

    app.get(
      '/v1/audit/verify',
      {
        config: { permission: 'audit:read' },
        schema: {
          tags: ['audit'],
          summary:
            'Recompute the audit chain, check its signed checkpoints, and name the first entry that was changed, removed or reordered',
          response: { 200: AuditReportView },
        },
      },
      async () => verifyAuditLog(services, { pinned: services.checkpointer.pinnedCheckpoint(), policy: services.checkpointer.policy }),
    );
  };
}
