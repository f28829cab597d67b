/**
 * The closed sets the monitoring routes speak in, as the console offers them in its filters and
 * forms. They mirror `ANOMALY_KINDS`, `SEVERITIES`, `ANOMALY_STATUSES` and `WEBHOOK_EVENT_TYPES` of
 * @tessera/core (the console does not bundle the domain); the end-to-end test keeps them equal.
 */

export const ANOMALY_KINDS = [
  'new_network',
  'new_country',
  'rate_spike',
  'unusual_hour',
  'failed_burst',
  'revoked_key_used',
  'expired_key_used',
  'deleted_key_used',
  'impossible_travel',
  'honeytoken_used',
  'key_leaked',
  'login_failures',
  'audit_tampered',
] as const;

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;

export const ANOMALY_STATUSES = ['open', 'acknowledged', 'resolved'] as const;

/** What a webhook may subscribe to (`webhook.test` is only ever sent on request). */
export const WEBHOOK_EVENTS = [
  'key.created',
  'key.rolled',
  'key.revoked',
  'key.deleted',
  'key.expiring',
  'key.credits_low',
  'key.suspended',
  'key.unsuspended',
  'key.leaked',
  'anomaly.detected',
  'audit.checkpoint',
] as const;

/** `new_network` → `New network`. */
export const kindLabel = (kind: string): string => kind[0]!.toUpperCase() + kind.slice(1).replaceAll('_', ' ');
