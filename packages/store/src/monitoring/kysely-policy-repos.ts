import type { KeyspacePolicy, PolicyRepos } from '@tessera/core';
import type { Selectable } from 'kysely';
import { num, numOrNull, type MonitoringDb } from './monitoring-sql.js';
import type { MonitoringTables } from './monitoring-schema.js';

/** The keyspace policy port over Kysely. */
export function kyselyPolicyRepos(db: MonitoringDb): PolicyRepos {
  return {
    async getPolicy(keyspaceId) {
      const r = await db.selectFrom('keyspace_policies').selectAll().where('keyspace_id', '=', keyspaceId).executeTakeFirst();
      return r && policyFromRow(r);
    },

    async listPolicies() {
      return (await db.selectFrom('keyspace_policies').selectAll().execute()).map(policyFromRow);
    },

    async putPolicy(p) {
      const { keyspace_id, ...rest } = {
        keyspace_id: p.keyspaceId,
        workspace_id: p.workspaceId,
        anomaly_response: p.anomalyResponse,
        suspend_min_severity: p.suspendMinSeverity,
        auto_expire_unused_days: p.autoExpireUnusedDays,
        auto_expire_notice_days: p.autoExpireNoticeDays,
        expiring_notice_days: p.expiringNoticeDays,
        credits_low_threshold: p.creditsLowThreshold,
        updated_at: p.updatedAt,
      };
      await db
        .insertInto('keyspace_policies')
        .values({ keyspace_id, ...rest })
        .onConflict((oc) => oc.column('keyspace_id').doUpdateSet(rest))
        .execute();
    },
  };
}

function policyFromRow(r: Selectable<MonitoringTables['keyspace_policies']>): KeyspacePolicy {
  return {
    keyspaceId: r.keyspace_id,
    workspaceId: r.workspace_id,
    anomalyResponse: r.anomaly_response as KeyspacePolicy['anomalyResponse'],
    suspendMinSeverity: r.suspend_min_severity as KeyspacePolicy['suspendMinSeverity'],
    autoExpireUnusedDays: numOrNull(r.auto_expire_unused_days),
    autoExpireNoticeDays: num(r.auto_expire_notice_days),
    expiringNoticeDays: num(r.expiring_notice_days),
    creditsLowThreshold: numOrNull(r.credits_low_threshold),
    updatedAt: num(r.updated_at),
  };
}
