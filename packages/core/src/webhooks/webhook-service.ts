import { randomBytes } from 'node:crypto';
import { appendAudit, type Actor } from '../audit/audit-chain.js';
import type { Clock } from '../clock.js';
import { TesseraError } from '../errors.js';
import { newId } from '../ids.js';
import type { Keyring } from '../custody/envelope-keyring.js';
import type { MonitoringRepos, MonitoringStore } from '../usage/monitoring-store.js';
import { WEBHOOK_EVENT_TYPES } from '@tessera/api';
import type { WebhookDeliveryRecord, WebhookSubscriptionRecord } from './webhook-records.js';
import { AUDIT_FEED_CURSOR } from './audit-feed.js';
import { signWebhook, WEBHOOK_SIGNATURE_HEADER } from './webhook-signature.js';
import { webhookSender, type WebhookSender } from './webhook-sender.js';
import { checkTargetOnSave, detailOf, WebhookSendError, type WebhookFailure, type WebhookTargetPolicy } from './webhook-target.js';
import { hostLookup } from '../net/host-lookup.js';
import type { LookupFunction } from 'node:net';

export const WEBHOOK_SECRET_PREFIX = 'whsec_';

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
 * Webhook subscriptions and their deliveries: events are fanned out to matching subscriptions as
 * stored deliveries (in the transaction that produced them, where there is one), then sent —
 * signed, with retries and backoff — by `runDue`, which any node may run.
 */
export class WebhookService {
  private readonly o: WebhookOptions;
  private readonly secrets = new Map<string, { secret: string; at: number }>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private readonly send: WebhookSender;
  private readonly lookup: LookupFunction;

  constructor(
    private readonly deps: {
      store: MonitoringStore;
      keyring: Keyring;
      clock: Clock;
      send?: WebhookSender;
      /** Resolves receivers' names, at creation and for each delivery (default {@link hostLookup}). */
      lookup?: LookupFunction;
      /** Where a failed attempt's details go: the server log, never the API. */
      onFailure?: (failure: WebhookFailureLog) => void;
    },
    options: Partial<WebhookOptions> = {},
    private readonly onError: (err: unknown) => void = () => {},
  ) {
    this.o = { ...WEBHOOK_DEFAULTS, ...options };
    this.lookup = deps.lookup ?? hostLookup();
    this.send = deps.send ?? webhookSender({ lookup: this.lookup, policy: this.o });
  }

  async create(
    actor: Actor,
    input: { url: string; events: string[]; enabled?: boolean | undefined },
  ): Promise<{ record: WebhookSubscriptionRecord; secret: string }> {
    const workspaceId = workspaceOf(actor);
    await checkTargetOnSave(input.url, this.lookup, this.o);
    const events = checkEvents(input.events);
    const now = this.deps.clock.now();
    const id = newId('webhook', now);
    const secret = WEBHOOK_SECRET_PREFIX + randomBytes(32).toString('base64url');
    const record: WebhookSubscriptionRecord = {
      id,
      workspaceId,
      url: input.url,
      events,
      secretCiphertext: await this.deps.keyring.encrypt(Buffer.from(secret), `webhook:${id}`, { workspaceId }),
      secretStart: `${secret.slice(0, 10)}…`,
      enabled: input.enabled ?? true,
      createdAt: now,
      updatedAt: now,
    };
    await this.deps.store.transaction(async (tx) => {
      // The first subscription starts the audit feed here: events from now on are delivered, history is not replayed.
      if ((await tx.getCursor(AUDIT_FEED_CURSOR)) === undefined)
        await tx.advanceCursor(AUDIT_FEED_CURSOR, undefined, (await tx.auditHead()).seq);
      await tx.insertWebhook(record);
      await appendAudit(tx, this.deps.clock, actor, {
        action: 'webhook.created',
        target: id,
        details: { url: redactUrl(input.url), events },
      });
    });
    return { record, secret };
  }

  async list(actor: Actor): Promise<WebhookSubscriptionRecord[]> {
    return this.deps.store.listWebhooks(workspaceOf(actor));
  }

  async get(actor: Actor, id: string): Promise<WebhookSubscriptionRecord> {
    const w = await this.deps.store.getWebhook(id);
    if (w === undefined || w.workspaceId !== actor.workspaceId) throw new TesseraError('NOT_FOUND', 'No such webhook.');
    return w;
  }

  async update(
    actor: Actor,
    id: string,
    patch: { url?: string | undefined; events?: string[] | undefined; enabled?: boolean | undefined },
  ): Promise<WebhookSubscriptionRecord> {
    const w = await this.get(actor, id);
    if (patch.url !== undefined) await checkTargetOnSave(patch.url, this.lookup, this.o);
    const fields = {
      ...(patch.url !== undefined && { url: patch.url }),
      ...(patch.events !== undefined && { events: checkEvents(patch.events) }),
      ...(patch.enabled !== undefined && { enabled: patch.enabled }),
      updatedAt: this.deps.clock.now(),
    };
    await this.deps.store.transaction(async (tx) => {
      await tx.updateWebhook(id, fields);
      await appendAudit(tx, this.deps.clock, actor, { action: 'webhook.updated', target: id, details: { changed: Object.keys(patch) } });
    });
    return { ...w, ...fields };
  }

  /** A new signing secret, shown once; the old one stops at once. */
  async rotateSecret(actor: Actor, id: string): Promise<{ record: WebhookSubscriptionRecord; secret: string }> {
    const w = await this.get(actor, id);
    const secret = WEBHOOK_SECRET_PREFIX + randomBytes(32).toString('base64url');
    const fields = {
      secretCiphertext: await this.deps.keyring.encrypt(Buffer.from(secret), `webhook:${id}`, { workspaceId: w.workspaceId }),
      secretStart: `${secret.slice(0, 10)}…`,
      updatedAt: this.deps.clock.now(),
    };
    await this.deps.store.transaction(async (tx) => {
      await tx.updateWebhook(id, fields);
      await appendAudit(tx, this.deps.clock, actor, { action: 'webhook.updated', target: id, details: { changed: ['secret'] } });
    });
    this.secrets.delete(id);
    return { record: { ...w, ...fields }, secret };
  }

  async delete(actor: Actor, id: string): Promise<void> {
    await this.get(actor, id);
    await this.deps.store.transaction(async (tx) => {
      await tx.deleteWebhook(id);
      await appendAudit(tx, this.deps.clock, actor, { action: 'webhook.deleted', target: id });
    });
    this.secrets.delete(id);
  }

  async deliveries(actor: Actor, id: string, limit: number, beforeId?: string): Promise<WebhookDeliveryRecord[]> {
    await this.get(actor, id);
    return this.deps.store.listDeliveries({ subscriptionId: id, limit, beforeId });
  }

  /** Sends a `webhook.test` event to one subscription now, and answers with the delivery as it stands. */
  async test(actor: Actor, id: string): Promise<WebhookDeliveryRecord> {
    const w = await this.get(actor, id);
    const [d] = await this.emit(this.deps.store, w.workspaceId, 'webhook.test', { message: 'A test delivery from Tessera.' }, w);
    await this.attempt(d!);
    return (await this.deps.store.getDelivery(d!.id))!;
  }

  /**
   * Fans an event out to the workspace's enabled subscriptions that asked for it: one stored
   * delivery each. Pass the transaction that produced the event, so both land or neither.
   */
  async emit(
    repos: MonitoringRepos,
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
    const now = this.deps.clock.now();
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

  start(): void {
    this.timer ??= setInterval(() => void this.runDue().catch(this.onError), this.o.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => {});
  }

  /** Attempts every delivery that is due; answers how many were attempted. */
  async runDue(): Promise<number> {
    if (this.running !== undefined) return this.running;
    this.running = (async () => {
      const due = await this.deps.store.listDueDeliveries(this.deps.clock.now(), 50);
      let n = 0;
      for (const d of due) if (await this.attempt(d)) n++;
      return n;
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** One attempt at one delivery, if this node wins the claim on it. */
  private async attempt(d: WebhookDeliveryRecord): Promise<boolean> {
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
    const backoff = this.o.backoffSeconds[Math.min(attempts - 1, this.o.backoffSeconds.length - 1)]!;
    await store.finishAttempt(d.id, {
      status: ok ? 'succeeded' : giveUp ? 'failed' : 'pending',
      attempts,
      nextAttemptAt: ok || giveUp ? null : now + backoff * 1000,
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

function checkEvents(events: string[]): string[] {
  const unique = [...new Set(events)];
  const bad = unique.find((e) => e !== '*' && !(WEBHOOK_EVENT_TYPES as readonly string[]).includes(e));
  if (bad !== undefined)
    throw new TesseraError('VALIDATION_FAILED', `unknown event type "${bad.slice(0, 64)}"; known: *, ${WEBHOOK_EVENT_TYPES.join(', ')}`);
  if (unique.length === 0) throw new TesseraError('VALIDATION_FAILED', 'events must name at least one event type (or *)');
  return unique;
}

/** A URL for the audit trail: without its query, which may carry a receiver's token. */
function redactUrl(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname}`;
}

function workspaceOf(actor: Actor): string {
  if (actor.workspaceId === null) throw new TesseraError('FORBIDDEN', 'This actor has no workspace.');
  return actor.workspaceId;
}
