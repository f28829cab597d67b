import type { KeyspaceRecord, KeyspaceRepos } from '@tessera/core';
import type { Selectable } from 'kysely';
import { KyselyHandle } from '../kysely-handle.js';
import { rowsWhere, rowWhere } from '../rows.js';
import type { Database } from '../schema.js';

/** The port of workspaces and keyspaces over Kysely. */
export class KyselyKeyspaceRepos extends KyselyHandle implements KeyspaceRepos {
  async insertWorkspace(ws: { id: string; name: string; createdAt: number }): Promise<void> {
    await this.db.insertInto('workspaces').values({ id: ws.id, name: ws.name, created_at: ws.createdAt }).execute();
  }

  async insertKeyspace(ks: KeyspaceRecord): Promise<void> {
    await this.db
      .insertInto('keyspaces')
      .values({
        id: ks.id,
        workspace_id: ks.workspaceId,
        name: ks.name,
        prefix: ks.prefix,
        recoverable: ks.recoverable ? 1 : 0,
        created_at: ks.createdAt,
      })
      .execute();
  }

  getKeyspace(id: string): Promise<KeyspaceRecord | undefined> {
    return rowWhere(this.db, 'keyspaces', { id }, keyspaceFromRow);
  }

  listKeyspaces(workspaceId: string): Promise<KeyspaceRecord[]> {
    return rowsWhere(this.db, 'keyspaces', { workspace_id: workspaceId }, 'id', keyspaceFromRow);
  }
}

function keyspaceFromRow(r: Selectable<Database['keyspaces']>): KeyspaceRecord {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    name: r.name,
    prefix: r.prefix,
    recoverable: r.recoverable === 1,
    createdAt: Number(r.created_at),
  };
}
