import type { DeliveryRepos, WebhookDeliveryRecord } from '@tessera/core';
import { nullableNumberColumn, numberColumn, RecordColumns } from '../record-columns.js';
import { dueRows } from '../rows.js';
import { changedOne, chunks, clip, recordTable, type MonitoringDb } from './monitoring-sql.js';
import type { MonitoringTables } from './monitoring-schema.js';

const DELIVERY_COLUMNS = new RecordColumns<WebhookDeliveryRecord>({
  id: 'id',
  subscriptionId: 'subscription_id',
  workspaceId: 'workspace_id',
  eventId: 'event_id',
  eventType: 'event_type',
  payload: 'payload',
  status: 'status',
  attempts: numberColumn('attempts'),
  nextAttemptAt: nullableNumberColumn('next_attempt_at'),
  lastAttemptAt: nullableNumberColumn('last_attempt_at'),
  responseStatus: nullableNumberColumn('response_status'),
  lastError: 'last_error',
  createdAt: numberColumn('created_at'),
  deliveredAt: nullableNumberColumn('delivered_at'),
});
const read = (row: object) => DELIVERY_COLUMNS.read(row);

/** The webhook delivery port over Kysely: the queue of events to send and the log of attempts. */
export function kyselyDeliveryRepos(db: MonitoringDb): DeliveryRepos {
  return {
    async insertDeliveries(deliveries) {
      for (const part of chunks(deliveries, 200))
        await db
          .insertInto('webhook_deliveries')
          .values(part.map((d) => DELIVERY_COLUMNS.write(d) as MonitoringTables['webhook_deliveries']))
          .execute();
    },

    getDelivery: recordTable(db, 'webhook_deliveries', DELIVERY_COLUMNS).get,

    async listDeliveries(q) {
      let query = db.selectFrom('webhook_deliveries').selectAll().where('subscription_id', '=', q.subscriptionId);
      if (q.beforeId !== undefined) query = query.where('id', '<', q.beforeId);
      return (await query.orderBy('id', 'desc').limit(q.limit).execute()).map(read);
    },

    listDueDeliveries(now, limit) {
      return dueRows(db, 'webhook_deliveries', { now, key: 'id', limit, state: ['status', ['pending']] }, read);
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
        .set(DELIVERY_COLUMNS.write({ ...o, lastError: clip(o.lastError, 512) }))
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
