/** Webhook subscriptions and their deliveries. */

export interface WebhookSubscriptionRecord {
  id: string;
  workspaceId: string;
  url: string;
  /** Event types, or `['*']`. */
  events: string[];
  /** The signing secret, encrypted by the keyring (bound to `webhook:<id>`). */
  secretCiphertext: string;
  /** Display hint of the secret. */
  secretStart: string;
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';

export interface WebhookDeliveryRecord {
  id: string;
  subscriptionId: string;
  workspaceId: string;
  eventId: string;
  eventType: string;
  /** The JSON body sent, exactly: ids, names and numbers, never a secret. */
  payload: string;
  status: DeliveryStatus;
  attempts: number;
  /** When the next attempt is due (null once finished). */
  nextAttemptAt: number | null;
  lastAttemptAt: number | null;
  responseStatus: number | null;
  lastError: string | null;
  createdAt: number;
  deliveredAt: number | null;
}
