import type { WebhookSubscriptionRecord } from './webhook-records.js';

/** What a change of a subscription may set. */
export type WebhookPatch = Partial<
  Pick<WebhookSubscriptionRecord, 'url' | 'events' | 'enabled' | 'secretCiphertext' | 'secretStart' | 'updatedAt'>
>;

/** The storage port of webhook subscriptions. */
export interface WebhookRepos {
  insertWebhook(w: WebhookSubscriptionRecord): Promise<void>;
  getWebhook(id: string): Promise<WebhookSubscriptionRecord | undefined>;
  /** A workspace's subscriptions, by id. */
  listWebhooks(workspaceId: string): Promise<WebhookSubscriptionRecord[]>;
  updateWebhook(id: string, patch: WebhookPatch): Promise<void>;
  /** Deletes a subscription and its delivery log. */
  deleteWebhook(id: string): Promise<void>;
}
