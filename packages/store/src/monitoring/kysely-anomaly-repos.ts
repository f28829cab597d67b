import type { AnomalyRecord, AnomalyRepos, AuditAppend, AuditLink } from '@tessera/core';
import { sql, type Kysely } from 'kysely';
import { appendAuditLocally, auditAppendCtes } from '../audit/audit-append-sql.js';
import { retrying } from '../retry-transaction.js';
import type { Database } from '../schema.js';
import { jsonColumn, nullableNumberColumn, numberColumn, RecordColumns } from '../record-columns.js';
import { clippedColumn, greatest, nullableJsonColumn, recordTable, type Dialect, type MonitoringDb } from './monitoring-sql.js';

/** Anomalies bumped per statement: three parameters each, well under both dialects' limits. */
const BUMPS_PER_STATEMENT = 1000;

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

    recordAnomaly(a, audit) {
      if (dialect === 'postgres') return db.isTransaction ? inOneStatement(db, a, audit) : retrying(() => inOneStatement(db, a, audit));
      // SQLite: a local transaction costs no round trip (inside one, part of it).
      const write = async (trx: MonitoringDb) => {
        await recordTable(trx, 'anomalies', ANOMALY_COLUMNS).insert(a);
        return appendAuditLocally(trx as unknown as Kysely<Database>, audit);
      };
      return db.isTransaction ? write(db) : db.transaction().execute(write);
    },
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

    async bumpAnomalies(bumps) {
      // One row per anomaly: bumps of the same one add up.
      const byId = new Map<string, { count: number; lastSeenAt: number }>();
      for (const b of bumps) {
        const seen = byId.get(b.id);
        if (seen === undefined) byId.set(b.id, { count: b.count, lastSeenAt: b.lastSeenAt });
        else {
          seen.count += b.count;
          seen.lastSeenAt = Math.max(seen.lastSeenAt, b.lastSeenAt);
        }
      }
      const rows = [...byId];
      for (let i = 0; i < rows.length; i += BUMPS_PER_STATEMENT) {
        const values = rows
          .slice(i, i + BUMPS_PER_STATEMENT)
          .map(([id, b]) => sql`(${id}, cast(${b.count} as integer), cast(${b.lastSeenAt} as bigint))`);
        // The same in both dialects: a table of bumps, and the anomalies named in it updated from it.
        const bump = (column: 'n' | 'seen') => sql`(select ${sql.ref(`b.${column}`)} from bumps b where b.id = anomalies.id)`;
        await sql`with bumps (id, n, seen) as (values ${sql.join(values)})
          update anomalies
          set count = count + ${bump('n')}, last_seen_at = ${greatest(dialect, sql.ref('last_seen_at'), bump('seen'))}
          where id in (select id from bumps)`.execute(db);
      }
    },
  };
}

/**
 * PostgreSQL: the anomaly and its audit entry in one statement, a transaction of its own when it
 * runs alone. The head is locked after the anomaly is written and held to the end of this
 * statement only: a flood of findings (revoked keys still being presented, as in an incident)
 * does not keep revocations waiting for the head across the detector's round trips.
 */
async function inOneStatement(db: MonitoringDb, a: AnomalyRecord, audit: AuditAppend): Promise<AuditLink> {
  const { rows } = await sql<{ seq: string | number; prev_hash: string; hash: string }>`
    with stored as (${db
      .insertInto('anomalies')
      .values(ANOMALY_COLUMNS.write(a) as never)
      .returning('id')}),
    ${auditAppendCtes(audit, sql`exists (select 1 from stored)`)}
    select seq, prev_hash, hash from moved`.execute(db);
  const r = rows[0]!;
  return { seq: Number(r.seq), prevHash: r.prev_hash, hash: r.hash };
}
