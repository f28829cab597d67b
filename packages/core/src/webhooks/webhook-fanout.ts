import type { Clock } from '../clock.js';
import { newId } from '../ids.js';
import type { DeliveryRepos } from './delivery-repos.js';
import type { WebhookDeliveryRecord, WebhookSubscriptionRecord } from './webhook-records.js';
import type { WebhookRepos } from './webhook-repos.js';

/** Fans an event out to webhooks: what the audit feed, the hygiene sweep and the checkpointer call. */
export type WebhookEmitter = (
  repos: Pick<WebhookRepos, 'listWebhooks'> & Pick<DeliveryRepos, 'insertDeliveries'>,
  workspaceId: string,
  type: string,
  data: Record<string, unknown>,
) => Promise<WebhookDeliveryRecord[]>;

/**
 * Fans an event out to the workspace's enabled subscriptions that asked for it (or to `only`):
 * one stored delivery each, due at once. Pass the transaction that produced the event, so both
 * land or neither.
 */
export async function fanOut(
  repos: Pick<WebhookRepos, 'listWebhooks'> & Pick<DeliveryRepos, 'insertDeliveries'>,
  clock: Clock,
  workspaceId: string,
  type: string,
  data: Record<string, unknown>,
  only?: WebhookSubscriptionRecord,
): Promise<WebhookDeliveryRecord[]> {
  const subs =
    only !== undefined
      ? [only]
      : (await repos.listWebhooks(workspaceId)).filter((w) => w.enabled && (w.events.includes('*') || w.events.includes(type)));
  if (subs.length === 0) return [];
  const now = clock.now();
  const eventId = newId('webhookEvent', now);
  const payload = JSON.stringify({ id: eventId, type, createdAt: new Date(now).toISOString(), workspaceId, data });
  const deliveries = subs.map((w): WebhookDeliveryRecord => ({
    id: newId('webhookDelivery', now),
    subscriptionId: w.id,
    workspaceId,
    eventId,
    eventType: type,
    payload,
    status: 'pending',
    attempts: 0,
    nextAttemptAt: now,
    lastAttemptAt: null,
    responseStatus: null,
    lastError: null,
    createdAt: now,
    deliveredAt: null,
  }));
  await repos.insertDeliveries(deliveries);
  return deliveries;
}

/** A {@link WebhookEmitter} on this clock. */
export const webhookEmitter =
  (clock: Clock): WebhookEmitter =>
  (repos, workspaceId, type, data) =>
    fanOut(repos, clock, workspaceId, type, data);
