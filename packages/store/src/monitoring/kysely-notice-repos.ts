import type { NoticeRepos } from '@tessera/core';
import { insertedOne, num, type MonitoringDb } from './monitoring-sql.js';

/** The notice port over Kysely: one row per kind and subject, so a notice is given once. */
export function kyselyNoticeRepos(db: MonitoringDb): NoticeRepos {
  return {
    async recordNotice(x) {
      const r = await db
        .insertInto('monitoring_notices')
        .values({ kind: x.kind, subject: x.subject, workspace_id: x.workspaceId, created_at: x.createdAt, data: JSON.stringify(x.data) })
        .onConflict((oc) => oc.columns(['kind', 'subject']).doNothing())
        .executeTakeFirst();
      return insertedOne(r);
    },

    async getNotice(kind, subject) {
      const r = await db
        .selectFrom('monitoring_notices')
        .selectAll()
        .where('kind', '=', kind)
        .where('subject', '=', subject)
        .executeTakeFirst();
      return r && { createdAt: num(r.created_at), data: JSON.parse(r.data) as Record<string, unknown> };
    },

    async deleteNotice(kind, subject) {
      await db.deleteFrom('monitoring_notices').where('kind', '=', kind).where('subject', '=', subject).execute();
    },
  };
}
