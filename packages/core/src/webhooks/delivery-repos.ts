import type { WebhookDeliveryRecord } from './webhook-records.js';

/** How one attempt at a delivery ended. */
export type AttemptOutcome = Pick<
  WebhookDeliveryRecord,
  'status' | 'attempts' | 'nextAttemptAt' | 'lastAttemptAt' | 'responseStatus' | 'lastError' | 'deliveredAt'
>;

/** The storage port of webhook deliveries: the queue of events to send and the log of attempts. */
export interface DeliveryRepos {
  insertDeliveries(d: readonly WebhookDeliveryRecord[]): Promise<void>;
  getDelivery(id: string): Promise<WebhookDeliveryRecord | undefined>;
  /** A subscription's deliveries, newest first; `beforeId` pages on. */
  listDeliveries(q: { subscriptionId: string; limit: number; beforeId?: string | undefined }): Promise<WebhookDeliveryRecord[]>;
  /** Pending deliveries due at `now`, oldest first. */
  listDueDeliveries(now: number, limit: number): Promise<WebhookDeliveryRecord[]>;
  /**
   * Takes a due delivery for one attempt: moves its next attempt to `leaseUntil` if it is still
   * due as `expectedNextAttemptAt` (compare-and-set), so two nodes never send the same attempt.
   */
  claimDelivery(id: string, expectedNextAttemptAt: number, leaseUntil: number): Promise<boolean>;
  finishAttempt(id: string, outcome: AttemptOutcome): Promise<void>;
  /** Deletes finished deliveries created before `before`; answers how many. */
  purgeDeliveries(before: number): Promise<number>;
}
