import type { WorkspaceRecord, WorkspaceRepos } from '@tessera/core';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.js';

type Row = Database['workspaces'];
const fromRow = (row: Row): WorkspaceRecord => ({ id: row.id, name: row.name, createdAt: Number(row.created_at) });

/** The workspaces port over a Kysely handle — the whole database, or one transaction. */
export class KyselyWorkspaceRepos implements WorkspaceRepos {
  constructor(private readonly db: Kysely<Database> | Transaction<Database>) {}

  async getWorkspace(id: string): Promise<WorkspaceRecord | undefined> {
    const row = await this.db.selectFrom('workspaces').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : fromRow(row);
  }

  async listWorkspaces(q: { ids: readonly string[]; after?: string | undefined; limit: number }): Promise<WorkspaceRecord[]> {
    if (q.ids.length === 0) return [];
    let query = this.db
      .selectFrom('workspaces')
      .selectAll()
      .where('id', 'in', [...q.ids]);
    if (q.after !== undefined) query = query.where('id', '>', q.after);
    const rows = await query.orderBy('id').limit(q.limit).execute();
    return rows.map(fromRow);
  }

  async renameWorkspace(id: string, name: string): Promise<boolean> {
    const r = await this.db.updateTable('workspaces').set({ name }).where('id', '=', id).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
}
