import type { AnomalyRecord, AnomalyRepos } from '@tessera/core';
import { sql } from 'kysely';
import { jsonColumn, nullableNumberColumn, numberColumn, RecordColumns } from '../record-columns.js';
import { clippedColumn, greatest, nullableJsonColumn, recordTable, type Dialect, type MonitoringDb } from './monitoring-sql.js';

const ANOMALY_COLUMNS = new RecordColumns<AnomalyRecord>({
  id: 'id',
  workspaceId: 'workspace_id',
  kind: 'kind',
  severity: 'severity',
  keyId: 'key_id',
  keyspaceId: 'keyspace_id',
  subject: clippedColumn('subject', 256),
  explanation: 'explanation',
  details: jsonColumn('details'),
  fingerprint: clippedColumn('fingerprint', 512),
  status: 'status',
  count: numberColumn('count'),
  firstEventAt: numberColumn('first_event_at'),
  detectedAt: numberColumn('detected_at'),
  lastSeenAt: numberColumn('last_seen_at'),
  acknowledgedAt: nullableNumberColumn('acknowledged_at'),
  acknowledgedBy: 'acknowledged_by',
  resolvedAt: nullableNumberColumn('resolved_at'),
  resolvedBy: 'resolved_by',
  response: nullableJsonColumn('response'),
});

/** The anomaly port over Kysely. */
export function kyselyAnomalyRepos(db: MonitoringDb, dialect: Dialect): AnomalyRepos {
  const anomalies = recordTable(db, 'anomalies', ANOMALY_COLUMNS);
  return {
    insertAnomaly: anomalies.insert,
    getAnomaly: anomalies.get,
    updateAnomaly: anomalies.update,

    async listAnomalies(q) {
      let query = db.selectFrom('anomalies').selectAll().where('workspace_id', '=', q.workspaceId);
      if (q.keyId !== undefined) query = query.where('key_id', '=', q.keyId);
      if (q.since !== undefined) query = query.where('detected_at', '>=', q.since);
      if (q.status !== undefined) query = query.where('status', '=', q.status);
      if (q.kind !== undefined) query = query.where('kind', '=', q.kind);
      const rows = await query.orderBy('detected_at', 'desc').orderBy('id', 'desc').limit(q.limit).execute();
      return rows.map((r) => ANOMALY_COLUMNS.read(r));
    },

    async bumpAnomaly(id, count, lastSeenAt) {
      await db
        .updateTable('anomalies')
        .set({ count: sql<number>`count + ${count}`, last_seen_at: greatest(dialect, sql.ref('last_seen_at'), lastSeenAt) })
        .where('id', '=', id)
        .execute();
    },
  };
}
