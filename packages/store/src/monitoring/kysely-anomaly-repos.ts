import type { AnomalyRecord, AnomalyRepos } from '@tessera/core';
import { sql, type Selectable } from 'kysely';
import { definedColumns, greatest, num, numOrNull, type Dialect, type MonitoringDb } from './monitoring-sql.js';
import type { MonitoringTables } from './monitoring-schema.js';

type AnomalyRow = MonitoringTables['anomalies'];

/** The anomaly port over Kysely. */
export function kyselyAnomalyRepos(db: MonitoringDb, dialect: Dialect): AnomalyRepos {
  return {
    async insertAnomaly(a) {
      await db
        .insertInto('anomalies')
        .values(anomalyToRow(a) as AnomalyRow)
        .execute();
    },

    async getAnomaly(id) {
      const r = await db.selectFrom('anomalies').selectAll().where('id', '=', id).executeTakeFirst();
      return r && anomalyFromRow(r);
    },

    async listAnomalies(q) {
      let query = db.selectFrom('anomalies').selectAll().where('workspace_id', '=', q.workspaceId);
      if (q.keyId !== undefined) query = query.where('key_id', '=', q.keyId);
      if (q.since !== undefined) query = query.where('detected_at', '>=', q.since);
      if (q.status !== undefined) query = query.where('status', '=', q.status);
      if (q.kind !== undefined) query = query.where('kind', '=', q.kind);
      return (await query.orderBy('detected_at', 'desc').orderBy('id', 'desc').limit(q.limit).execute()).map(anomalyFromRow);
    },

    async updateAnomaly(id, patch) {
      const row = definedColumns(anomalyToRow(patch));
      if (Object.keys(row).length === 0) return;
      await db.updateTable('anomalies').set(row).where('id', '=', id).execute();
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

/** A record's columns; a partial record gives undefined for what it leaves out. */
function anomalyToRow(a: Partial<AnomalyRecord>): { [C in keyof AnomalyRow]: AnomalyRow[C] | undefined } {
  return {
    id: a.id,
    workspace_id: a.workspaceId,
    kind: a.kind,
    severity: a.severity,
    key_id: a.keyId,
    keyspace_id: a.keyspaceId,
    subject: a.subject?.slice(0, 256),
    explanation: a.explanation,
    details: a.details && JSON.stringify(a.details),
    fingerprint: a.fingerprint?.slice(0, 512),
    status: a.status,
    count: a.count,
    first_event_at: a.firstEventAt,
    detected_at: a.detectedAt,
    last_seen_at: a.lastSeenAt,
    acknowledged_at: a.acknowledgedAt,
    acknowledged_by: a.acknowledgedBy,
    resolved_at: a.resolvedAt,
    resolved_by: a.resolvedBy,
    response: a.response === undefined || a.response === null ? a.response : JSON.stringify(a.response),
  };
}

function anomalyFromRow(r: Selectable<AnomalyRow>): AnomalyRecord {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    kind: r.kind as AnomalyRecord['kind'],
    severity: r.severity as AnomalyRecord['severity'],
    keyId: r.key_id,
    keyspaceId: r.keyspace_id,
    subject: r.subject,
    explanation: r.explanation,
    details: JSON.parse(r.details) as Record<string, unknown>,
    fingerprint: r.fingerprint,
    status: r.status as AnomalyRecord['status'],
    count: num(r.count),
    firstEventAt: num(r.first_event_at),
    detectedAt: num(r.detected_at),
    lastSeenAt: num(r.last_seen_at),
    acknowledgedAt: numOrNull(r.acknowledged_at),
    acknowledgedBy: r.acknowledged_by,
    resolvedAt: numOrNull(r.resolved_at),
    resolvedBy: r.resolved_by,
    response: r.response === null ? null : (JSON.parse(r.response) as AnomalyRecord['response']),
  };
}
