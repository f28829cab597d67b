import type { KeyspacePolicy, PolicyRepos } from '@tessera/core';
import { jsonColumn, nullableNumberColumn, numberColumn, RecordColumns } from '../record-columns.js';
import type { MonitoringDb } from './monitoring-sql.js';
import type { MonitoringTables } from './monitoring-schema.js';

const POLICY_COLUMNS = new RecordColumns<KeyspacePolicy>({
  keyspaceId: 'keyspace_id',
  workspaceId: 'workspace_id',
  anomalyResponse: 'anomaly_response',
  suspendMinSeverity: 'suspend_min_severity',
  autoExpireUnusedDays: nullableNumberColumn('auto_expire_unused_days'),
  autoExpireNoticeDays: numberColumn('auto_expire_notice_days'),
  expiringNoticeDays: numberColumn('expiring_notice_days'),
  creditsLowThreshold: nullableNumberColumn('credits_low_threshold'),
  maxKeyLifetimeDays: nullableNumberColumn('max_key_lifetime_days'),
  rotationIntervalDays: nullableNumberColumn('rotation_interval_days'),
  rotationNoticeDays: numberColumn('rotation_notice_days'),
  rotationGraceDays: numberColumn('rotation_grace_days'),
  detectionSensitivity: numberColumn('detection_sensitivity'),
  quietHours: jsonColumn('quiet_hours'),
  knownNetworks: jsonColumn('known_networks'),
  updatedAt: numberColumn('updated_at'),
});

/** The keyspace policy port over Kysely. */
export function kyselyPolicyRepos(db: MonitoringDb): PolicyRepos {
  return {
    async getPolicy(keyspaceId) {
      const r = await db.selectFrom('keyspace_policies').selectAll().where('keyspace_id', '=', keyspaceId).executeTakeFirst();
      return r && POLICY_COLUMNS.read(r);
    },

    async listPolicies() {
      return (await db.selectFrom('keyspace_policies').selectAll().execute()).map((r) => POLICY_COLUMNS.read(r));
    },

    async putPolicy(p) {
      const row = POLICY_COLUMNS.write(p) as MonitoringTables['keyspace_policies'];
      const { keyspace_id: _keyspace, ...rest } = row;
      await db
        .insertInto('keyspace_policies')
        .values(row)
        .onConflict((oc) => oc.column('keyspace_id').doUpdateSet(rest))
        .execute();
    },
  };
}
