import type { DeliveryRepos, WebhookDeliveryRecord } from '@tessera/core';
import type { Selectable } from 'kysely';
import { changedOne, chunks, clip, num, numOrNull, type MonitoringDb } from './monitoring-sql.js';
import type { MonitoringTables } from './monitoring-schema.js';

type DeliveryRow = MonitoringTables['webhook_deliveries'];

/** The webhook delivery port over Kysely: the queue of events to send and the log of attempts. */
export function kyselyDeliveryRepos(db: MonitoringDb): DeliveryRepos {
  return {
    async insertDeliveries(deliveries) {
      for (const part of chunks(deliveries, 200)) await db.insertInto('webhook_deliveries').values(part.map(deliveryToRow)).execute();
    },

    async getDelivery(id) {
      const r = await db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
      return r && deliveryFromRow(r);
    },

    async listDeliveries(q) {
      let query = db.selectFrom('webhook_deliveries').selectAll().where('subscription_id', '=', q.subscriptionId);
      if (q.beforeId !== undefined) query = query.where('id', '<', q.beforeId);
      return (await query.orderBy('id', 'desc').limit(q.limit).execute()).map(deliveryFromRow);
    },

    async listDueDeliveries(now, limit) {
      const rows = await db
        .selectFrom('webhook_deliveries')
        .selectAll()
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .orderBy('next_attempt_at')
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map(deliveryFromRow);
    },

    async claimDelivery(id, expectedNextAttemptAt, leaseUntil) {
      const r = await db
        .updateTable('webhook_deliveries')
        .set({ next_attempt_at: leaseUntil })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .where('next_attempt_at', '=', expectedNextAttemptAt)
        .executeTakeFirst();
      return changedOne(r);
    },

    async finishAttempt(id, o) {
      await db
        .updateTable('webhook_deliveries')
        .set({
          status: o.status,
          attempts: o.attempts,
          next_attempt_at: o.nextAttemptAt,
          last_attempt_at: o.lastAttemptAt,
          response_status: o.responseStatus,
          last_error: clip(o.lastError, 512),
          delivered_at: o.deliveredAt,
        })
        .where('id', '=', id)
        .execute();
    },

    async purgeDeliveries(before) {
      const r = await db
        .deleteFrom('webhook_deliveries')
        .where('created_at', '<', before)
        .where('status', '!=', 'pending')
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}

function deliveryToRow(d: WebhookDeliveryRecord): DeliveryRow {
  return {
    id: d.id,
    subscription_id: d.subscriptionId,
    workspace_id: d.workspaceId,
    event_id: d.eventId,
    event_type: d.eventType,
    payload: d.payload,
    status: d.status,
    attempts: d.attempts,
    next_attempt_at: d.nextAttemptAt,
    last_attempt_at: d.lastAttemptAt,
    response_status: d.responseStatus,
    last_error: d.lastError,
    created_at: d.createdAt,
    delivered_at: d.deliveredAt,
  };
}

function deliveryFromRow(r: Selectable<DeliveryRow>): WebhookDeliveryRecord {
  return {
    id: r.id,
    subscriptionId: r.subscription_id,
    workspaceId: r.workspace_id,
    eventId: r.event_id,
    eventType: r.event_type,
    payload: r.payload,
    status: r.status as WebhookDeliveryRecord['status'],
    attempts: num(r.attempts),
    nextAttemptAt: numOrNull(r.next_attempt_at),
    lastAttemptAt: numOrNull(r.last_attempt_at),
    responseStatus: numOrNull(r.response_status),
    lastError: r.last_error,
    createdAt: num(r.created_at),
    deliveredAt: numOrNull(r.delivered_at),
  };
}
