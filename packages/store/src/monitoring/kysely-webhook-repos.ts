import type { WebhookRepos, WebhookSubscriptionRecord } from '@tessera/core';
import type { Selectable } from 'kysely';
import { definedColumns, num, type MonitoringDb } from './monitoring-sql.js';
import type { MonitoringTables } from './monitoring-schema.js';

type WebhookRow = MonitoringTables['webhooks'];

/** The webhook subscription port over Kysely. */
export function kyselyWebhookRepos(db: MonitoringDb): WebhookRepos {
  return {
    async insertWebhook(w) {
      await db
        .insertInto('webhooks')
        .values(webhookToRow(w) as WebhookRow)
        .execute();
    },

    async getWebhook(id) {
      const r = await db.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst();
      return r && webhookFromRow(r);
    },

    async listWebhooks(workspaceId) {
      return (await db.selectFrom('webhooks').selectAll().where('workspace_id', '=', workspaceId).orderBy('id').execute()).map(
        webhookFromRow,
      );
    },

    async updateWebhook(id, patch) {
      const row = definedColumns(webhookToRow(patch));
      if (Object.keys(row).length === 0) return;
      await db.updateTable('webhooks').set(row).where('id', '=', id).execute();
    },

    async deleteWebhook(id) {
      await db.deleteFrom('webhook_deliveries').where('subscription_id', '=', id).execute();
      await db.deleteFrom('webhooks').where('id', '=', id).execute();
    },
  };
}

/** A record's columns; a partial record gives undefined for what it leaves out. */
function webhookToRow(w: Partial<WebhookSubscriptionRecord>): { [C in keyof WebhookRow]: WebhookRow[C] | undefined } {
  return {
    id: w.id,
    workspace_id: w.workspaceId,
    url: w.url,
    events: w.events && JSON.stringify(w.events),
    secret_ciphertext: w.secretCiphertext,
    secret_start: w.secretStart,
    enabled: w.enabled === undefined ? undefined : w.enabled ? 1 : 0,
    created_at: w.createdAt,
    updated_at: w.updatedAt,
  };
}

function webhookFromRow(r: Selectable<WebhookRow>): WebhookSubscriptionRecord {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    url: r.url,
    events: JSON.parse(r.events) as string[],
    secretCiphertext: r.secret_ciphertext,
    secretStart: r.secret_start,
    enabled: r.enabled === 1,
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
  };
}
