import type { RolloverEnd, RolloverRecord, RolloverRepos } from '@tessera/core';
import { nullableNumberColumn, numberColumn, RecordColumns } from '../record-columns.js';
import { OwnTablesAdapter } from '../own-tables.js';
import { insertRow, markOnce, rowWhere } from '../rows.js';

/** The table of usage-driven rollovers (migration 0018), declared beside its adapter. */
interface RolloverTables {
  key_rollovers: {
    predecessor_id: string;
    successor_id: string;
    workspace_id: string;
    keyspace_id: string;
    quiet_period_seconds: number;
    deadline: number;
    created_at: number;
    successor_first_used_at: number | null;
    retired_at: number | null;
    retired_reason: string | null;
  };
}

const COLUMNS = new RecordColumns<RolloverRecord>({
  predecessorId: 'predecessor_id',
  successorId: 'successor_id',
  workspaceId: 'workspace_id',
  keyspaceId: 'keyspace_id',
  quietPeriodSeconds: numberColumn('quiet_period_seconds'),
  deadline: numberColumn('deadline'),
  createdAt: numberColumn('created_at'),
  successorFirstUsedAt: nullableNumberColumn('successor_first_used_at'),
  retiredAt: nullableNumberColumn('retired_at'),
  retiredReason: 'retired_reason',
});

/** The rollover port over a Kysely handle — the whole database, or one transaction. */
export class KyselyRolloverRepos extends OwnTablesAdapter<RolloverTables> implements RolloverRepos {
  insertRollover(r: RolloverRecord): Promise<void> {
    return insertRow(this.db, 'key_rollovers', COLUMNS.write(r));
  }

  getRollover(predecessorId: string): Promise<RolloverRecord | undefined> {
    return rowWhere(this.db, 'key_rollovers', { predecessor_id: predecessorId }, (r) => COLUMNS.read(r));
  }

  async listRollovers(q: { workspaceId: string; keyspaceId?: string | undefined; open?: boolean | undefined; limit: number }) {
    let query = this.db.selectFrom('key_rollovers').selectAll().where('workspace_id', '=', q.workspaceId);
    if (q.keyspaceId !== undefined) query = query.where('keyspace_id', '=', q.keyspaceId);
    if (q.open !== undefined) query = query.where('retired_at', q.open ? 'is' : 'is not', null);
    const rows = await query.orderBy('created_at', 'desc').orderBy('predecessor_id', 'desc').limit(q.limit).execute();
    return rows.map((r) => COLUMNS.read(r));
  }

  async listOpenRollovers(limit: number): Promise<RolloverRecord[]> {
    const rows = await this.db
      .selectFrom('key_rollovers')
      .selectAll()
      .where('retired_at', 'is', null)
      .orderBy('deadline')
      .orderBy('predecessor_id')
      .limit(limit)
      .execute();
    return rows.map((r) => COLUMNS.read(r));
  }

  async markSuccessorUsed(predecessorId: string, at: number): Promise<void> {
    await markOnce(this.db, 'key_rollovers', { predecessor_id: predecessorId }, 'successor_first_used_at', at);
  }

  endRollover(predecessorId: string, o: { at: number; reason: RolloverEnd }): Promise<boolean> {
    return markOnce(this.db, 'key_rollovers', { predecessor_id: predecessorId }, 'retired_at', o.at, {
      retired_reason: o.reason,
    });
  }
}
