import type { SuspensionRecord, SuspensionRepos } from '@tessera/core';
import type { Selectable } from 'kysely';
import { changedOne, num, numOrNull, type MonitoringDb } from './monitoring-sql.js';
import type { MonitoringTables } from './monitoring-schema.js';

/** The suspension port over Kysely. */
export function kyselySuspensionRepos(db: MonitoringDb): SuspensionRepos {
  return {
    async insertSuspension(s) {
      await db
        .insertInto('key_suspensions')
        .values({
          id: s.id,
          workspace_id: s.workspaceId,
          key_id: s.keyId,
          anomaly_id: s.anomalyId,
          reason: s.reason.slice(0, 256),
          suspended_at: s.suspendedAt,
          was_enabled: s.wasEnabled ? 1 : 0,
          undone_at: s.undoneAt,
          undone_by: s.undoneBy,
        })
        .execute();
    },

    async getSuspension(id) {
      const r = await db.selectFrom('key_suspensions').selectAll().where('id', '=', id).executeTakeFirst();
      return r && suspensionFromRow(r);
    },

    async listSuspensions(q) {
      let query = db.selectFrom('key_suspensions').selectAll().where('workspace_id', '=', q.workspaceId);
      if (q.keyId !== undefined) query = query.where('key_id', '=', q.keyId);
      if (q.active !== undefined) query = query.where('undone_at', q.active ? 'is' : 'is not', null);
      return (await query.orderBy('id', 'desc').limit(500).execute()).map(suspensionFromRow);
    },

    async markSuspensionUndone(id, at, by) {
      const r = await db
        .updateTable('key_suspensions')
        .set({ undone_at: at, undone_by: by })
        .where('id', '=', id)
        .where('undone_at', 'is', null)
        .executeTakeFirst();
      return changedOne(r);
    },
  };
}

function suspensionFromRow(r: Selectable<MonitoringTables['key_suspensions']>): SuspensionRecord {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    keyId: r.key_id,
    anomalyId: r.anomaly_id,
    reason: r.reason,
    suspendedAt: num(r.suspended_at),
    wasEnabled: r.was_enabled === 1,
    undoneAt: numOrNull(r.undone_at),
    undoneBy: r.undone_by,
  };
}
