import { WEBHOOK_EVENT_TYPES } from '@tessera/api';
import { WEBHOOK_FAILURES } from '@tessera/core';
import { Cursor, List, Nullable, OneOf, RefTo, Time, Type } from '../http/schemas.js';

/** The shapes of webhook subscriptions and deliveries. Times are RFC 3339. */

const EventType = OneOf(['*', ...WEBHOOK_EVENT_TYPES.filter((t) => t !== 'webhook.test')] as const);
const Url = Type.String({ minLength: 8, maxLength: 2048, pattern: '^https?://' });
const Events = Type.Array(EventType, { minItems: 1, maxItems: 32, description: 'Event types, or `["*"]` for all.' });
const WEBHOOK_ID = 'wh_0Hq4C7d8E9f0G1h2I3j4K5l6';
const EXAMPLE_URL = 'https://hooks.example.com/tessera';

export const CreateWebhookBody = Type.Object(
  { url: Url, events: Events, enabled: Type.Optional(Type.Boolean()) },
  { additionalProperties: false, examples: [{ url: EXAMPLE_URL, events: ['key.revoked', 'anomaly.detected'] }] },
);

export const UpdateWebhookBody = Type.Object(
  { url: Type.Optional(Url), events: Type.Optional(Events), enabled: Type.Optional(Type.Boolean()) },
  { additionalProperties: false, minProperties: 1, examples: [{ enabled: false }] },
);

export const DeliveriesQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })), cursor: Type.Optional(Cursor) },
  { additionalProperties: false },
);

const subscription = {
  id: Type.String(),
  url: Type.String(),
  events: Type.Array(OneOf(['*', ...WEBHOOK_EVENT_TYPES] as const), { description: 'Event types, or `["*"]`.' }),
  enabled: Type.Boolean(),
  secretStart: Type.String({ description: 'The first characters of the signing secret, to tell secrets apart.' }),
  createdAt: Time,
  updatedAt: Time,
};

const example = {
  id: WEBHOOK_ID,
  url: EXAMPLE_URL,
  events: ['key.revoked', 'anomaly.detected'],
  enabled: true,
  secretStart: 'whsec_4Rt9…',
  createdAt: '2026-03-02T09:00:00.000Z',
  updatedAt: '2026-03-02T09:00:00.000Z',
};

const WebhookShape = Type.Object(subscription, {
  $id: 'Webhook',
  description: 'A webhook subscription; its signing secret is shown only on create and rotate.',
  examples: [example],
});

const WebhookWithSecretShape = Type.Object(
  { ...subscription, secret: Type.String({ description: 'The signing secret: shown in this answer only.' }) },
  {
    $id: 'WebhookWithSecret',
    description: 'A webhook subscription with its new signing secret.',
    examples: [{ ...example, secret: 'whsec_4Rt9pQ2xV7mN1bK8cL3dZ6fG0hJ5sW9yT2uE4iO7aR1' }],
  },
);

export const WebhookList = List(RefTo(WebhookShape), [example]);

const deliveryExample = {
  id: 'whd_0Hq4D2e3F4g5H6i7J8k9L0m1',
  webhookId: WEBHOOK_ID,
  eventId: 'wev_0Hq4D2e3N1o2P3q4R5s6T7u8',
  eventType: 'key.revoked',
  status: 'succeeded',
  attempts: 1,
  nextAttemptAt: null,
  lastAttemptAt: '2026-03-02T09:30:00.120Z',
  responseStatus: 200,
  lastError: null,
  createdAt: '2026-03-02T09:30:00.000Z',
  deliveredAt: '2026-03-02T09:30:00.310Z',
  payload: {
    id: 'wev_0Hq4D2e3N1o2P3q4R5s6T7u8',
    type: 'key.revoked',
    createdAt: '2026-03-02T09:30:00.000Z',
    workspaceId: 'ws_default',
    data: { keyId: 'key_0Hq3Zk2W7bD4sLmP9xTq1n', reason: 'rotated', at: '2026-03-02T09:29:59.870Z' },
  },
};

export const WebhookEventShape = Type.Object(
  {
    id: Type.String({ description: 'The event id (the same for every subscription it went to).' }),
    type: OneOf(WEBHOOK_EVENT_TYPES),
    createdAt: Time,
    workspaceId: Type.String(),
    data: Type.Object({}, { additionalProperties: true, description: "The event's ids, names and numbers; never a secret." }),
  },
  { $id: 'WebhookEvent', description: 'The JSON body sent, exactly as it was signed.' },
);

const WebhookDeliveryShape = Type.Object(
  {
    id: Type.String(),
    webhookId: Type.String(),
    eventId: Type.String(),
    eventType: OneOf(WEBHOOK_EVENT_TYPES),
    status: OneOf(['pending', 'succeeded', 'failed'] as const),
    attempts: Type.Integer(),
    nextAttemptAt: Nullable(Time),
    lastAttemptAt: Nullable(Time),
    responseStatus: Nullable(Type.Integer({ description: "The receiver's HTTP status on the last attempt." })),
    lastError: Nullable(OneOf(WEBHOOK_FAILURES, { description: 'Why the last attempt failed, by class.' })),
    createdAt: Time,
    deliveredAt: Nullable(Time),
    payload: RefTo(WebhookEventShape),
  },
  { $id: 'WebhookDelivery', description: 'One event sent (or being sent) to a webhook.', examples: [deliveryExample] },
);

export const DeliveryPage = Type.Object(
  {
    items: Type.Array(RefTo(WebhookDeliveryShape), { description: 'Newest first.' }),
    nextCursor: Nullable(Type.String({ description: 'Pass as `cursor` for the next page; null on the last one.' })),
  },
  { examples: [{ items: [deliveryExample], nextCursor: null }] },
);

export const Webhook = RefTo(WebhookShape);
export const WebhookWithSecret = RefTo(WebhookWithSecretShape);
export const WebhookDelivery = RefTo(WebhookDeliveryShape);

/** The named shapes above, for `app.addSchema`. */
export const WEBHOOK_SCHEMAS = [WebhookShape, WebhookWithSecretShape, WebhookEventShape, WebhookDeliveryShape];
