import { WEBHOOK_EVENT_TYPES } from '@tessera/core';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { actorOf } from '../http/auth.js';
import { decodeCursor, encodeCursor } from '../http/cursor.js';
import { Cursor, IdParams, Type } from '../http/schemas.js';
import type { Services } from '../services.js';
import { deliveryView, webhookView } from './monitoring-views.js';

const tags = ['webhooks'];
const EventType = Type.Union([Type.Literal('*'), ...WEBHOOK_EVENT_TYPES.filter((t) => t !== 'webhook.test').map((t) => Type.Literal(t))]);
const Url = Type.String({ minLength: 8, maxLength: 2048, pattern: '^https?://' });

/**
 * Webhook subscriptions: deliveries are signed `t=<unix>,v1=HMAC-SHA256(secret, "<t>.<body>")`
 * in the `Tessera-Signature` header, retried with backoff, and logged.
 */
export function webhookRoutes(services: Services): FastifyPluginAsync {
  const { webhooks } = services.monitoring;
  return async (app0) => {
    const app = app0.withTypeProvider<TypeBoxTypeProvider>();
    const config = { permission: 'webhooks:manage' as const };
    /** Creates, changes, rotations and test sends take an Idempotency-Key. */
    const changing = { ...config, idempotent: true };

    app.post(
      '/v1/webhooks',
      {
        config: changing,
        schema: {
          tags,
          summary: 'Subscribe a URL to events; the signing secret is in this answer only',
          body: Type.Object(
            { url: Url, events: Type.Array(EventType, { minItems: 1, maxItems: 32 }), enabled: Type.Optional(Type.Boolean()) },
            { additionalProperties: false },
          ),
        },
      },
      async (request, reply) => {
        const { record, secret } = await webhooks.create(actorOf(request), request.body);
        return reply.code(201).send({ ...webhookView(record), secret });
      },
    );

    app.get('/v1/webhooks', { config, schema: { tags, summary: 'Webhook subscriptions' } }, async (request) => ({
      items: (await webhooks.list(actorOf(request))).map(webhookView),
    }));

    app.get(
      '/v1/webhooks/:webhookId',
      { config, schema: { tags, summary: 'One subscription', params: IdParams('webhookId') } },
      async (request) => webhookView(await webhooks.get(actorOf(request), request.params.webhookId)),
    );

    app.patch(
      '/v1/webhooks/:webhookId',
      {
        config: changing,
        schema: {
          tags,
          summary: 'Change the URL, the events or whether it is enabled',
          params: IdParams('webhookId'),
          body: Type.Object(
            {
              url: Type.Optional(Url),
              events: Type.Optional(Type.Array(EventType, { minItems: 1, maxItems: 32 })),
              enabled: Type.Optional(Type.Boolean()),
            },
            { additionalProperties: false, minProperties: 1 },
          ),
        },
      },
      async (request) => webhookView(await webhooks.update(actorOf(request), request.params.webhookId, request.body)),
    );

    app.delete(
      '/v1/webhooks/:webhookId',
      {
        config,
        schema: {
          tags,
          summary: 'Delete a subscription and its delivery log',
          params: IdParams('webhookId'),
          response: { 204: Type.Null({ description: 'Deleted' }) },
        },
      },
      async (request, reply) => {
        await webhooks.delete(actorOf(request), request.params.webhookId);
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/v1/webhooks/:webhookId/rotate-secret',
      {
        config: changing,
        schema: { tags, summary: 'A new signing secret, shown once; the old one stops at once', params: IdParams('webhookId') },
      },
      async (request) => {
        const { record, secret } = await webhooks.rotateSecret(actorOf(request), request.params.webhookId);
        return { ...webhookView(record), secret };
      },
    );

    app.post(
      '/v1/webhooks/:webhookId/test',
      {
        config: changing,
        schema: { tags, summary: 'Send a `webhook.test` event now; answers with the delivery', params: IdParams('webhookId') },
      },
      async (request) => deliveryView(await webhooks.test(actorOf(request), request.params.webhookId)),
    );

    app.get(
      '/v1/webhooks/:webhookId/deliveries',
      {
        config,
        schema: {
          tags,
          summary: 'The delivery log, newest first',
          params: IdParams('webhookId'),
          querystring: Type.Object(
            { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })), cursor: Type.Optional(Cursor) },
            { additionalProperties: false },
          ),
        },
      },
      async (request) => {
        const limit = request.query.limit ?? 50;
        const before = request.query.cursor === undefined ? undefined : decodeCursor(request.query.cursor, 'webhookDelivery');
        const items = await webhooks.deliveries(actorOf(request), request.params.webhookId, limit + 1, before);
        const page = items.slice(0, limit);
        return { items: page.map(deliveryView), nextCursor: items.length > limit ? encodeCursor(page[page.length - 1]!.id) : null };
      },
    );
  };
}
