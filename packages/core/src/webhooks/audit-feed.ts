import { DueWork } from '../lifecycle/due-work.js';
import type { AuditRecord } from '../store/records.js';
import type { Repos } from '../store/store.js';
import type { Transactional } from '../usage/monitoring-store.js';
import type { CursorRepos } from './cursor-repos.js';
import type { DeliveryRepos } from './delivery-repos.js';
import type { WebhookEmitter } from './webhook-fanout.js';
import type { WebhookRepos } from './webhook-repos.js';

/** The stored position of the feed in the audit log. */
const CURSOR = 'webhooks.audit';
const PAGE = 500;

/**
 * Starts the feed at the audit log's head unless it has started: history before webhooks
 * existed is not replayed. True when this call started it.
 */
export async function followAuditFromHead(repos: CursorRepos & Pick<Repos, 'auditHead'>): Promise<boolean> {
  if ((await repos.getCursor(CURSOR)) !== undefined) return false;
  return repos.advanceCursor(CURSOR, undefined, (await repos.auditHead()).seq);
}

/**
 * Key events reach webhooks through the audit log: every management change is already written
 * there, in its own transaction, so following the log (from a stored cursor) misses nothing,
 * sends nothing twice, and needs no hook in the key service.
 *
 * Every node runs a feed. A page of the log is claimed (the cursor moved past it) before it is
 * read, in the transaction that stores its deliveries: the nodes that lose the race read nothing,
 * and a workspace's subscriptions are read once per page, not once per entry.
 */
export class AuditFeed extends DueWork {
  constructor(
    private readonly store: CursorRepos &
      Pick<Repos, 'auditHead'> &
      Transactional<CursorRepos & Pick<Repos, 'scanAudit'> & Pick<WebhookRepos, 'listWebhooks'> & Pick<DeliveryRepos, 'insertDeliveries'>>,
    private readonly emit: WebhookEmitter,
    intervalMs = 1000,
    onError: (err: unknown) => void = () => {},
  ) {
    super(intervalMs, onError);
  }

  /** Turns new audit entries into webhook deliveries; answers how many entries it read. */
  protected async round(): Promise<number> {
    let total = 0;
    for (;;) {
      const cursor = await this.store.getCursor(CURSOR);
      if (cursor === undefined) {
        await followAuditFromHead(this.store);
        return total;
      }
      const head = (await this.store.auditHead()).seq;
      if (head <= cursor) return total;
      // Sequence numbers have no gaps, and every entry up to the head is committed.
      const last = Math.min(head, cursor + PAGE);
      total += await this.store.transaction(async (tx) => {
        if (!(await tx.advanceCursor(CURSOR, cursor, last))) return 0; // another node took this page
        const entries = await tx.scanAudit(cursor + 1, last - cursor);
        const subscriptions = new Map<string, ReturnType<WebhookRepos['listWebhooks']>>();
        const repos = {
          listWebhooks: (workspaceId: string) => {
            let listed = subscriptions.get(workspaceId);
            if (listed === undefined) subscriptions.set(workspaceId, (listed = tx.listWebhooks(workspaceId)));
            return listed;
          },
          insertDeliveries: tx.insertDeliveries.bind(tx),
        };
        for (const e of entries) {
          if (e.workspaceId === null) continue;
          for (const [type, data] of eventsOf(e)) await this.emit(repos, e.workspaceId, type, data);
        }
        return entries.length;
      });
      if (last === head) return total;
    }
  }
}

/** The webhook events an audit entry stands for. */
export function eventsOf(e: AuditRecord): [string, Record<string, unknown>][] {
  const d = e.details;
  const at = new Date(e.ts).toISOString();
  switch (e.action) {
    case 'key.created':
      return [['key.created', { keyId: e.target, keyspaceId: d.keyspaceId, ownerId: d.ownerId, name: d.name, at }]];
    case 'key.rolled':
      return [['key.rolled', { keyId: e.target, newKeyId: d.newKeyId, gracePeriodSeconds: d.gracePeriodSeconds, at }]];
    case 'key.revoked':
    case 'key.retired':
      return [['key.revoked', { keyId: e.target, reason: d.reason, at }]];
    case 'keys.revoked_by_owner':
      return ((d.keyIds as string[] | undefined) ?? []).map((keyId) => ['key.revoked', { keyId, ownerId: e.target, reason: d.reason, at }]);
    case 'key.deleted':
      return [['key.deleted', { keyId: e.target, at }]];
    case 'key.suspended':
      return [['key.suspended', { keyId: e.target, suspensionId: d.suspensionId, anomalyId: d.anomalyId, reason: d.reason, at }]];
    case 'key.unsuspended':
      return [['key.unsuspended', { keyId: e.target, suspensionId: d.suspensionId, at }]];
    case 'key.expiry_scheduled':
      return [['key.expiring', { keyId: e.target, expiresAt: d.expiresAt, reason: d.reason, at }]];
    case 'oauth_client.secret_rotation_due':
      // Never a secret: the owner rotates it through the API, which keeps the schedule's overlap.
      return [
        [
          'oauth_client.secret_rotation_due',
          { clientId: e.target, name: d.name, dueAt: d.dueAt, intervalDays: d.intervalDays, overlapSeconds: d.overlapSeconds, at },
        ],
      ];
    case 'secret.rotation_failed':
      // Never a value: what failed, how often, and when the next attempt is.
      return [
        [
          'secret.rotation_failed',
          { secret: e.target, rotator: d.rotator, attempts: d.attempts, error: d.error, nextAttemptAt: d.nextAttemptAt, at },
        ],
      ];
    case 'anomaly.detected': {
      const data = {
        anomalyId: e.target,
        kind: d.kind,
        severity: d.severity,
        keyId: d.keyId,
        subject: d.subject,
        explanation: d.explanation,
        at,
      };
      return d.kind === 'key_leaked'
        ? [
            ['anomaly.detected', data],
            ['key.leaked', { keyId: d.keyId, anomalyId: e.target, at }],
          ]
        : [['anomaly.detected', data]];
    }
    default:
      return [];
  }
}
