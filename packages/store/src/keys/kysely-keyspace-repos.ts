import type { GatewayRoutes, KeyspaceRecord, KeyspaceRepos } from '@tessera/core';
import { KyselyHandle } from '../kysely-handle.js';
import { numberColumn, RecordColumns } from '../record-columns.js';
import { insertRow, flagColumn, rowsWhere, rowWhere } from '../rows.js';

/** The columns of `keyspaces`, field by field. */
const KEYSPACE_COLUMNS = new RecordColumns<KeyspaceRecord>({
  id: 'id',
  workspaceId: 'workspace_id',
  name: 'name',
  prefix: 'prefix',
  recoverable: flagColumn('recoverable'),
  createdAt: numberColumn('created_at'),
});
const keyspaceFromRow = (row: object) => KEYSPACE_COLUMNS.read(row);

/** The port of workspaces and keyspaces over Kysely. */
export class KyselyKeyspaceRepos extends KyselyHandle implements KeyspaceRepos {
  async insertWorkspace(ws: { id: string; name: string; createdAt: number }): Promise<void> {
    await this.db.insertInto('workspaces').values({ id: ws.id, name: ws.name, created_at: ws.createdAt }).execute();
  }

  async insertKeyspace(ks: KeyspaceRecord): Promise<void> {
    await insertRow(this.db, 'keyspaces', KEYSPACE_COLUMNS.write(ks));
  }

  getKeyspace(id: string): Promise<KeyspaceRecord | undefined> {
    return rowWhere(this.db, 'keyspaces', { id }, keyspaceFromRow);
  }

  listKeyspaces(workspaceId: string): Promise<KeyspaceRecord[]> {
    return rowsWhere(this.db, 'keyspaces', { workspace_id: workspaceId }, 'id', keyspaceFromRow);
  }

  async getGatewayRoutes(keyspaceId: string): Promise<GatewayRoutes | undefined> {
    const row = await this.db.selectFrom('keyspaces').select('gateway_routes').where('id', '=', keyspaceId).executeTakeFirst();
    return row?.gateway_routes == null ? undefined : (JSON.parse(row.gateway_routes) as GatewayRoutes);
  }

  async setGatewayRoutes(keyspaceId: string, routes: GatewayRoutes): Promise<boolean> {
    const r = await this.db
      .updateTable('keyspaces')
      .set({ gateway_routes: JSON.stringify(routes) })
      .where('id', '=', keyspaceId)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
}
