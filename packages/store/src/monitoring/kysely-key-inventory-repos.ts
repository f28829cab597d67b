import type { KeyInventoryRepos } from '@tessera/core';
import { keyFromRow } from '../keys/key-rows.js';
import { changedOne, type MonitoringDb } from './monitoring-sql.js';

/** The key inventory port over Kysely: the keys table, as the hygiene sweep walks and changes it. */
export function kyselyKeyInventoryRepos(db: MonitoringDb): KeyInventoryRepos {
  return {
    async listAllKeyspaces() {
      const rows = await db.selectFrom('keyspaces').select(['id', 'workspace_id']).orderBy('id').execute();
      return rows.map((r) => ({ id: r.id, workspaceId: r.workspace_id }));
    },

    async listLiveKeys(keyspaceId, after, limit) {
      let query = db
        .selectFrom('keys')
        .selectAll()
        .where('keyspace_id', '=', keyspaceId)
        .where('revoked_at', 'is', null)
        .where('deleted_at', 'is', null);
      if (after !== undefined) query = query.where('id', '>', after);
      return (await query.orderBy('id').limit(limit).execute()).map(keyFromRow);
    },

    async restoreScheduledExpiry(keyId, scheduled, previous, updatedAt) {
      const r = await db
        .updateTable('keys')
        .set({ expires_at: previous, updated_at: updatedAt })
        .where('id', '=', keyId)
        .where('expires_at', '=', scheduled.expiresAt)
        .where('updated_at', '=', scheduled.scheduledAt)
        .where('rolled_to_id', 'is', null)
        .where('revoked_at', 'is', null)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      return changedOne(r);
    },
  };
}
