import type { HoneytokenRepos } from '@tessera/core';
import type { MonitoringDb } from './monitoring-sql.js';

/** The honeytoken port over Kysely. */
export function kyselyHoneytokenRepos(db: MonitoringDb): HoneytokenRepos {
  return {
    async insertHoneytoken(h) {
      await db.insertInto('honeytokens').values({ key_id: h.keyId, workspace_id: h.workspaceId, created_at: h.createdAt }).execute();
    },

    async listHoneytokenIds() {
      return (await db.selectFrom('honeytokens').select('key_id').execute()).map((r) => r.key_id);
    },
  };
}
