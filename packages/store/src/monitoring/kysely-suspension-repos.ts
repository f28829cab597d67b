import type { SuspensionRecord, SuspensionRepos } from '@tessera/core';
import { nullableNumberColumn, numberColumn, RecordColumns } from '../record-columns.js';
import { changedOne, clippedColumn, flagColumn, recordTable, type MonitoringDb } from './monitoring-sql.js';

const SUSPENSION_COLUMNS = new RecordColumns<SuspensionRecord>({
  id: 'id',
  workspaceId: 'workspace_id',
  keyId: 'key_id',
  anomalyId: 'anomaly_id',
  reason: clippedColumn('reason', 256),
  suspendedAt: numberColumn('suspended_at'),
  wasEnabled: flagColumn('was_enabled'),
  undoneAt: nullableNumberColumn('undone_at'),
  undoneBy: 'undone_by',
});

/** The suspension port over Kysely. */
export function kyselySuspensionRepos(db: MonitoringDb): SuspensionRepos {
  const suspensions = recordTable(db, 'key_suspensions', SUSPENSION_COLUMNS);
  return {
    insertSuspension: suspensions.insert,
    getSuspension: suspensions.get,

    async listSuspensions(q) {
      let query = db.selectFrom('key_suspensions').selectAll().where('workspace_id', '=', q.workspaceId);
      if (q.keyId !== undefined) query = query.where('key_id', '=', q.keyId);
      if (q.active !== undefined) query = query.where('undone_at', q.active ? 'is' : 'is not', null);
      return (await query.orderBy('id', 'desc').limit(500).execute()).map((r) => SUSPENSION_COLUMNS.read(r));
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
