import type { WebhookRepos, WebhookSubscriptionRecord } from '@tessera/core';
import { jsonColumn, numberColumn, RecordColumns } from '../record-columns.js';
import { flagColumn, recordTable, type MonitoringDb } from './monitoring-sql.js';

const WEBHOOK_COLUMNS = new RecordColumns<WebhookSubscriptionRecord>({
  id: 'id',
  workspaceId: 'workspace_id',
  url: 'url',
  events: jsonColumn('events'),
  secretCiphertext: 'secret_ciphertext',
  secretStart: 'secret_start',
  enabled: flagColumn('enabled'),
  createdAt: numberColumn('created_at'),
  updatedAt: numberColumn('updated_at'),
});

/** The webhook subscription port over Kysely. */
export function kyselyWebhookRepos(db: MonitoringDb): WebhookRepos {
  const webhooks = recordTable(db, 'webhooks', WEBHOOK_COLUMNS);
  return {
    insertWebhook: webhooks.insert,
    getWebhook: webhooks.get,
    updateWebhook: webhooks.update,

    async listWebhooks(workspaceId) {
      const rows = await db.selectFrom('webhooks').selectAll().where('workspace_id', '=', workspaceId).orderBy('id').execute();
      return rows.map((r) => WEBHOOK_COLUMNS.read(r));
    },

    async deleteWebhook(id) {
      await db.deleteFrom('webhook_deliveries').where('subscription_id', '=', id).execute();
      await db.deleteFrom('webhooks').where('id', '=', id).execute();
    },
  };
}
