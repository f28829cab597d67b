import type { LookupFunction } from 'node:net';
import type { Clock } from '../clock.js';
import type { Keyring } from '../custody/envelope-keyring.js';
import { attemptEach, DueWork, retryAt } from '../lifecycle/due-work.js';
import type { DeliveryRepos } from './delivery-repos.js';
import type { WebhookDeliveryRecord, WebhookSubscriptionRecord } from './webhook-records.js';
import type { WebhookRepos } from './webhook-repos.js';
import { webhookSender, type WebhookSender } from './webhook-sender.js';
import { signWebhook, WEBHOOK_SIGNATURE_HEADER } from './webhook-signature.js';
import { detailOf, WebhookSendError, type WebhookFailure, type WebhookTargetPolicy } from './webhook-target.js';

export interface WebhookOptions extends WebhookTargetPolicy {
  /** Attempts per delivery, the first included. */
  maxAttempts: number;
  /** Wait before attempt n+1 (seconds), by n; the last value repeats. */
  backoffSeconds: number[];
  timeoutMs: number;
  /** How often due deliveries are looked for (ms). */
  intervalMs: number;
}

export const WEBHOOK_DEFAULTS: WebhookOptions = {
  maxAttempts: 8,
  backoffSeconds: [10, 30, 120, 600, 1800, 3600, 10_800],
  timeoutMs: 10_000,
  intervalMs: 1000,
  allowHttp: false,
  allowPrivate: false,
};

/** A failed attempt as the server log records it: the class the API shows, and what Node said. */
export interface WebhookFailureLog {
  deliveryId: string;
  subscriptionId: string;
  failure: WebhookFailure;
  message: string;
}

/**
 * Sends stored deliveries — signed, with retries and backoff — from any node: each attempt is
 * claimed first, so two nodes never send the same one.
 */
export class WebhookDeliverer extends DueWork {
  private readonly secrets = new Map<string, { secret: string; at: number }>();
  private readonly send: WebhookSender;

  constructor(
    private readonly deps: {
      store: DeliveryRepos & Pick<WebhookRepos, 'getWebhook'>;
      keyring: Keyring;
      clock: Clock;
      lookup: LookupFunction;
      send?: WebhookSender | undefined;
      /** Where a failed attempt's details go: the server log, never the API. */
      onFailure?: ((failure: WebhookFailureLog) => void) | undefined;
    },
    private readonly o: WebhookOptions,
    onError: (err: unknown) => void = () => {},
  ) {
    super(o.intervalMs, onError);
    this.send = deps.send ?? webhookSender({ lookup: deps.lookup, policy: o });
  }

  /** Attempts every delivery that is due; answers how many were attempted. */
  protected async round(): Promise<number> {
    return attemptEach(await this.deps.store.listDueDeliveries(this.deps.clock.now(), 50), (d) => this.attempt(d));
  }

  /** Drops a subscription's cached secret (rotated, or the subscription deleted). */
  forget(subscriptionId: string): void {
    this.secrets.delete(subscriptionId);
  }

  /** One attempt at one delivery, if this node wins the claim on it. */
  async attempt(d: WebhookDeliveryRecord): Promise<boolean> {
    const { store, clock } = this.deps;
    const now = clock.now();
    if (d.nextAttemptAt === null || !(await store.claimDelivery(d.id, d.nextAttemptAt, now + this.o.timeoutMs + 30_000))) return false;
    const attempts = d.attempts + 1;
    const sub = await store.getWebhook(d.subscriptionId);
    let status: number | null = null;
    let error: WebhookFailure | null = null;
    if (sub === undefined || !sub.enabled) error = 'subscription_disabled';
    else {
      try {
        const secret = await this.secret(sub);
        status = await this.send(sub.url, {
          headers: {
            'content-type': 'application/json',
            'user-agent': 'Tessera-Webhooks/1',
            [WEBHOOK_SIGNATURE_HEADER]: signWebhook(secret, Math.floor(now / 1000), d.payload),
            'tessera-event': d.eventType,
            'tessera-delivery': d.id,
          },
          body: d.payload,
          timeoutMs: this.o.timeoutMs,
        });
        if (status < 200 || status >= 300) error = 'http_status';
      } catch (err) {
        // The API sees the class only: a socket error names internal addresses and ports (a port scanner's answer).
        error = err instanceof WebhookSendError ? err.failure : 'connection_failed';
        this.deps.onFailure?.({ deliveryId: d.id, subscriptionId: d.subscriptionId, failure: error, message: detailOf(err) });
      }
    }
    const ok = error === null;
    const giveUp = !ok && (attempts >= this.o.maxAttempts || sub === undefined || !sub.enabled);
    await store.finishAttempt(d.id, {
      status: ok ? 'succeeded' : giveUp ? 'failed' : 'pending',
      attempts,
      nextAttemptAt: ok || giveUp ? null : retryAt(this.o.backoffSeconds, attempts, now),
      lastAttemptAt: now,
      responseStatus: status,
      lastError: error,
      deliveredAt: ok ? clock.now() : null,
    });
    return true;
  }

  private async secret(w: WebhookSubscriptionRecord): Promise<string> {
    const hit = this.secrets.get(w.id);
    if (hit !== undefined && w.updatedAt <= hit.at) return hit.secret;
    const secret = (await this.deps.keyring.decrypt(w.secretCiphertext, `webhook:${w.id}`)).toString();
    this.secrets.set(w.id, { secret, at: w.updatedAt });
    return secret;
  }
}
