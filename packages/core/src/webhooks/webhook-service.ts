import { randomBytes } from 'node:crypto';
import { WEBHOOK_EVENT_TYPES } from '@tessera/api';
import type { LookupFunction } from 'node:net';
import { workspaceOf } from '../audit/actor-workspace.js';
import { appendAudit, type Actor, type AuditDraft } from '../audit/audit-chain.js';
import type { Clock } from '../clock.js';
import type { Keyring } from '../custody/envelope-keyring.js';
import { TesseraError } from '../errors.js';
import { newId } from '../ids.js';
import type { Transactional } from '../usage/monitoring-store.js';
import { followAuditFromHead } from './audit-feed.js';
import type { CursorRepos } from './cursor-repos.js';
import type { DeliveryRepos } from './delivery-repos.js';
import { hostLookup } from '../net/host-lookup.js';
import { WEBHOOK_DEFAULTS, WebhookDeliverer, type WebhookFailureLog, type WebhookOptions } from './webhook-deliverer.js';
import { fanOut } from './webhook-fanout.js';
import type { WebhookDeliveryRecord, WebhookSubscriptionRecord } from './webhook-records.js';
import type { WebhookPatch, WebhookRepos } from './webhook-repos.js';
import type { WebhookSender } from './webhook-sender.js';
import { checkTargetOnSave, type WebhookTargetPolicy } from './webhook-target.js';

export const WEBHOOK_SECRET_PREFIX = 'whsec_';

/**
 * Webhook subscriptions: create, change, rotate the signing secret, delete, read the delivery
 * log, send a test. Events become stored deliveries (see `fanOut`), which the deliverer sends.
 */
export class WebhookService {
  /** Sends the stored deliveries: started with the other background work. */
  readonly deliverer: WebhookDeliverer;
  private readonly lookup: LookupFunction;
  private readonly policy: WebhookTargetPolicy;

  constructor(
    private readonly deps: {
      store: WebhookRepos & DeliveryRepos & Transactional<WebhookRepos & CursorRepos>;
      keyring: Keyring;
      clock: Clock;
      send?: WebhookSender;
      /** Resolves receivers' names, at creation and for each delivery (default {@link hostLookup}). */
      lookup?: LookupFunction;
      /** Where a failed attempt's details go: the server log, never the API. */
      onFailure?: (failure: WebhookFailureLog) => void;
    },
    options: Partial<WebhookOptions> = {},
    onError: (err: unknown) => void = () => {},
  ) {
    const o = { ...WEBHOOK_DEFAULTS, ...options };
    this.policy = o;
    this.lookup = deps.lookup ?? hostLookup();
    this.deliverer = new WebhookDeliverer(
      { store: deps.store, keyring: deps.keyring, clock: deps.clock, lookup: this.lookup, send: deps.send, onFailure: deps.onFailure },
      o,
      onError,
    );
  }

  async create(
    actor: Actor,
    input: { url: string; events: string[]; enabled?: boolean | undefined },
  ): Promise<{ record: WebhookSubscriptionRecord; secret: string }> {
    const workspaceId = workspaceOf(actor);
    await checkTargetOnSave(input.url, this.lookup, this.policy);
    const events = checkEvents(input.events);
    const now = this.deps.clock.now();
    const id = newId('webhook', now);
    const { secret, ...sealed } = await this.newSecret(id, workspaceId);
    const record: WebhookSubscriptionRecord = {
      id,
      workspaceId,
      url: input.url,
      events,
      ...sealed,
      enabled: input.enabled ?? true,
      createdAt: now,
      updatedAt: now,
    };
    await this.deps.store.transaction(async (tx) => {
      // The first subscription starts the audit feed here: events from now on are delivered, history is not replayed.
      await followAuditFromHead(tx);
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
    if (patch.url !== undefined) await checkTargetOnSave(patch.url, this.lookup, this.policy);
    const fields = {
      ...(patch.url !== undefined && { url: patch.url }),
      ...(patch.events !== undefined && { events: checkEvents(patch.events) }),
      ...(patch.enabled !== undefined && { enabled: patch.enabled }),
      updatedAt: this.deps.clock.now(),
    };
    await this.change(actor, id, fields, { action: 'webhook.updated', target: id, details: { changed: Object.keys(patch) } });
    return { ...w, ...fields };
  }

  /** A new signing secret, shown once; the old one stops at once. */
  async rotateSecret(actor: Actor, id: string): Promise<{ record: WebhookSubscriptionRecord; secret: string }> {
    const w = await this.get(actor, id);
    const { secret, ...sealed } = await this.newSecret(id, w.workspaceId);
    const fields = { ...sealed, updatedAt: this.deps.clock.now() };
    await this.change(actor, id, fields, { action: 'webhook.updated', target: id, details: { changed: ['secret'] } });
    this.deliverer.forget(id);
    return { record: { ...w, ...fields }, secret };
  }

  async delete(actor: Actor, id: string): Promise<void> {
    await this.get(actor, id);
    await this.deps.store.transaction(async (tx) => {
      await tx.deleteWebhook(id);
      await appendAudit(tx, this.deps.clock, actor, { action: 'webhook.deleted', target: id });
    });
    this.deliverer.forget(id);
  }

  async deliveries(actor: Actor, id: string, limit: number, beforeId?: string): Promise<WebhookDeliveryRecord[]> {
    await this.get(actor, id);
    return this.deps.store.listDeliveries({ subscriptionId: id, limit, beforeId });
  }

  /** Sends a `webhook.test` event to one subscription now, and answers with the delivery as it stands. */
  async test(actor: Actor, id: string): Promise<WebhookDeliveryRecord> {
    const { store, clock } = this.deps;
    const w = await this.get(actor, id);
    const [d] = await fanOut(store, clock, w.workspaceId, 'webhook.test', { message: 'A test delivery from Tessera.' }, w);
    await this.deliverer.attempt(d!);
    return (await store.getDelivery(d!.id))!;
  }

  /** Fans an event out to the workspace's subscriptions that asked for it, in `repos` (see `fanOut`). */
  emit(
    repos: Pick<WebhookRepos, 'listWebhooks'> & Pick<DeliveryRepos, 'insertDeliveries'>,
    workspaceId: string,
    type: string,
    data: Record<string, unknown>,
  ): Promise<WebhookDeliveryRecord[]> {
    return fanOut(repos, this.deps.clock, workspaceId, type, data);
  }

  private async change(actor: Actor, id: string, fields: WebhookPatch, audit: AuditDraft): Promise<void> {
    await this.deps.store.transaction(async (tx) => {
      await tx.updateWebhook(id, fields);
      await appendAudit(tx, this.deps.clock, actor, audit);
    });
  }

  /** A new signing secret, and its sealed form and display hint for the record. */
  private async newSecret(id: string, workspaceId: string): Promise<{ secret: string; secretCiphertext: string; secretStart: string }> {
    const secret = WEBHOOK_SECRET_PREFIX + randomBytes(32).toString('base64url');
    return {
      secret,
      secretCiphertext: await this.deps.keyring.encrypt(Buffer.from(secret), `webhook:${id}`, { workspaceId }),
      secretStart: `${secret.slice(0, 10)}…`,
    };
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
