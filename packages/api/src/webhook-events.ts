/** Every event a webhook subscription can ask for; `*` asks for all. `webhook.test` is sent only on request. */
export const WEBHOOK_EVENT_TYPES = [
  'key.created',
  'key.rolled',
  'key.revoked',
  'key.deleted',
  'key.expiring',
  'key.rotation_due',
  'key.credits_low',
  'key.suspended',
  'key.unsuspended',
  'key.leaked',
  'anomaly.detected',
  'audit.checkpoint',
  'oauth_client.secret_rotation_due',
  'secret.rotation_failed',
  'webhook.test',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];
