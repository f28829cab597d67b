import type {
  AnomalyRecord,
  KeyspacePolicy,
  SuspensionRecord,
  UsageEvent,
  WebhookDeliveryRecord,
  WebhookSubscriptionRecord,
} from '@tessera/core';
import type { WebhookDelivery, WebhookEvent, WebhookEventType } from '@tessera/api';
import { TesseraError, WEBHOOK_FAILURES, type WebhookFailure } from '@tessera/core';
import { iso } from '../http/views.js';

/** Wire shapes of the monitoring records: RFC 3339 times, never a secret. */

export function anomalyView(a: AnomalyRecord) {
  return {
    id: a.id,
    kind: a.kind,
    severity: a.severity,
    status: a.status,
    keyId: a.keyId,
    keyspaceId: a.keyspaceId,
    subject: a.subject,
    explanation: a.explanation,
    details: a.details,
    count: a.count,
    firstEventAt: iso(a.firstEventAt),
    detectedAt: iso(a.detectedAt),
    lastSeenAt: iso(a.lastSeenAt),
    acknowledgedAt: iso(a.acknowledgedAt),
    acknowledgedBy: a.acknowledgedBy,
    resolvedAt: iso(a.resolvedAt),
    resolvedBy: a.resolvedBy,
    response: a.response,
  };
}

export function suspensionView(s: SuspensionRecord) {
  return {
    id: s.id,
    keyId: s.keyId,
    anomalyId: s.anomalyId,
    reason: s.reason,
    suspendedAt: iso(s.suspendedAt),
    wasEnabled: s.wasEnabled,
    undoneAt: iso(s.undoneAt),
    undoneBy: s.undoneBy,
  };
}

export function policyView(p: KeyspacePolicy) {
  const { workspaceId: _w, updatedAt, ...rest } = p;
  return { ...rest, updatedAt: updatedAt === 0 ? null : iso(updatedAt) };
}

export function webhookView(w: WebhookSubscriptionRecord) {
  return {
    id: w.id,
    url: w.url,
    events: w.events as ('*' | WebhookEventType)[],
    enabled: w.enabled,
    secretStart: w.secretStart,
    createdAt: iso(w.createdAt),
    updatedAt: iso(w.updatedAt),
  };
}

export function deliveryView(d: WebhookDeliveryRecord): WebhookDelivery {
  return {
    id: d.id,
    webhookId: d.subscriptionId,
    eventId: d.eventId,
    eventType: d.eventType as WebhookEventType,
    status: d.status,
    attempts: d.attempts,
    nextAttemptAt: iso(d.nextAttemptAt),
    lastAttemptAt: iso(d.lastAttemptAt),
    responseStatus: d.responseStatus,
    lastError: failureClass(d.lastError),
    createdAt: iso(d.createdAt),
    deliveredAt: iso(d.deliveredAt),
    payload: JSON.parse(d.payload) as WebhookEvent,
  };
}

/**
 * A delivery's failure as the API shows it. Deliveries logged before failures were classed hold
 * Node's error message, which names internal addresses and ports: those are shown by class too.
 */
function failureClass(lastError: string | null): WebhookFailure | null {
  if (lastError === null || (WEBHOOK_FAILURES as readonly string[]).includes(lastError)) return lastError as WebhookFailure | null;
  if (lastError.startsWith('the receiver answered')) return 'http_status';
  if (lastError === 'the subscription was deleted or disabled') return 'subscription_disabled';
  if (/timeout/i.test(lastError)) return 'timeout';
  if (/ENOTFOUND|EAI_AGAIN|ESERVFAIL|queryA/.test(lastError)) return 'dns_failed';
  if (/certificate|SSL|TLS|EPROTO/i.test(lastError)) return 'tls_error';
  return 'connection_failed';
}

export function usageEventView(e: UsageEvent) {
  return { ...e, ts: iso(e.ts), count: e.count ?? 1 };
}

export function parseTimeParam(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new TesseraError('VALIDATION_FAILED', `${name} must be an RFC 3339 time`);
  return ms;
}
