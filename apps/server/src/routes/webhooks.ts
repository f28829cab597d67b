import type { TypedApp } from '../http/typed-app.js';
import { actorOf } from '../http/auth.js';
import { problems } from '../http/contract.js';
import { routeTable } from '../http/route-table.js';
import { listPage } from '../http/cursor.js';
import { IdParams } from '../http/schemas.js';
import type { Services } from '../wiring/services.js';
import { deliveryView, webhookView } from './monitoring-views.js';
import {
  CreateWebhookBody,
  DeliveriesQuery,
  DeliveryPage,
  UpdateWebhookBody,
  Webhook,
  WebhookDelivery,
  WebhookList,
  WebhookWithSecret,
} from './webhook-schemas.js';

const tags = ['webhooks'];
const params = IdParams('webhookId');
const notFound = problems('NOT_FOUND');

/**
 * Webhook subscriptions: deliveries are signed `t=<unix>,v1=HMAC-SHA256(secret, "<t>.<body>")`
 * in the `Tessera-Signature` header, retried with backoff, and logged.
 */
export function webhookRoutes(app: TypedApp, services: Services): void {
  const route = routeTable(app, tags);
  const { webhooks } = services.monitoring;
  const config = { permission: 'webhooks:manage' as const };
  /** Creates, changes, rotations and test sends take an Idempotency-Key. */
  const changing = { ...config, idempotent: true };

  route.post(
    '/v1/webhooks',
    {
      ...changing,
      operationId: 'createWebhook',
      summary: 'Subscribe a URL to events; the signing secret is in this answer only',
      body: CreateWebhookBody,
      response: { 201: WebhookWithSecret },
    },
    async (request, reply) => {
      const { record, secret } = await webhooks.create(actorOf(request), request.body);
      return reply.code(201).send({ ...webhookView(record), secret });
    },
  );

  route.get(
    '/v1/webhooks',
    {
      ...config,
      operationId: 'listWebhooks',
      summary: 'Webhook subscriptions',
      response: { 200: WebhookList },
    },
    async (request) => ({ items: (await webhooks.list(actorOf(request))).map(webhookView) }),
  );

  route.get(
    '/v1/webhooks/:webhookId',
    {
      ...config,
      operationId: 'getWebhook',
      summary: 'One subscription',
      params,
      response: { 200: Webhook, ...notFound },
    },
    async (request) => webhookView(await webhooks.get(actorOf(request), request.params.webhookId)),
  );

  route.patch(
    '/v1/webhooks/:webhookId',
    {
      ...changing,
      operationId: 'updateWebhook',
      summary: 'Change the URL, the events or whether it is enabled',
      params,
      body: UpdateWebhookBody,
      response: { 200: Webhook, ...notFound },
    },
    async (request) => webhookView(await webhooks.update(actorOf(request), request.params.webhookId, request.body)),
  );

  route.remove(
    '/v1/webhooks/:webhookId',
    {
      ...config,
      operationId: 'deleteWebhook',
      summary: 'Delete a subscription and its delivery log',
      params,
      response: notFound,
    },
    (request) => webhooks.delete(actorOf(request), request.params.webhookId),
  );

  route.post(
    '/v1/webhooks/:webhookId/rotate-secret',
    {
      ...changing,
      operationId: 'rotateWebhookSecret',
      summary: 'A new signing secret, shown once; the old one stops at once',
      params,
      response: { 200: WebhookWithSecret, ...notFound },
    },
    async (request) => {
      const { record, secret } = await webhooks.rotateSecret(actorOf(request), request.params.webhookId);
      return { ...webhookView(record), secret };
    },
  );

  route.post(
    '/v1/webhooks/:webhookId/test',
    {
      ...changing,
      operationId: 'testWebhook',
      summary: 'Send a `webhook.test` event now; answers with the delivery',
      params,
      response: { 200: WebhookDelivery, ...notFound },
    },
    async (request) => deliveryView(await webhooks.test(actorOf(request), request.params.webhookId)),
  );

  route.get(
    '/v1/webhooks/:webhookId/deliveries',
    {
      ...config,
      operationId: 'listWebhookDeliveries',
      summary: 'The delivery log, newest first',
      params,
      querystring: DeliveriesQuery,
      response: { 200: DeliveryPage, ...notFound },
    },
    async (request) =>
      listPage(
        request.query,
        'webhookDelivery',
        (limit, before) => webhooks.deliveries(actorOf(request), request.params.webhookId, limit, before),
        (page) => page.map(deliveryView),
        50,
      ),
  );
}
