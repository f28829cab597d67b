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

    async capLiveKeyExpiries(keyspaceId, latest, o) {
      const except = o.except.length > 0 ? o.except : ['-'];
      const rows = await db
        .selectFrom('keys')
        .selectAll()
        .where('keyspace_id', '=', keyspaceId)
        .where('revoked_at', 'is', null)
        .where('deleted_at', 'is', null)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', latest)]))
        .where('id', 'not in', except)
        .orderBy('id')
        .execute();
      if (rows.length > 0)
        await db
          .updateTable('keys')
          .set({ expires_at: latest, updated_at: o.at })
          .where('keyspace_id', '=', keyspaceId)
          .where('revoked_at', 'is', null)
          .where('deleted_at', 'is', null)
          .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', latest)]))
          .where('id', 'not in', except)
          .execute();
      return rows.map(keyFromRow);
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
