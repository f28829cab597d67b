import type { RootKeyRecord, RootKeyRepos } from '@tessera/core';
import { KyselyHandle } from '../kysely-handle.js';
import { jsonColumn, nullableNumberColumn, numberColumn, RecordColumns } from '../record-columns.js';
import { insertRow, countRows, nullableJsonColumn, rowsWhere, rowWhere, wroteOne } from '../rows.js';

/** The columns of `root_keys`, field by field. */
const ROOT_KEY_COLUMNS = new RecordColumns<RootKeyRecord>({
  id: 'id',
  workspaceId: 'workspace_id',
  name: 'name',
  hash: 'hash',
  pepperVersion: 'pepper_version',
  start: 'start',
  permissions: jsonColumn<string[]>('permissions'),
  createdAt: numberColumn('created_at'),
  revokedAt: nullableNumberColumn('revoked_at'),
  lastUsedAt: nullableNumberColumn('last_used_at'),
  expiresAt: nullableNumberColumn('expires_at'),
  ipAllowlist: jsonColumn<string[]>('ip_allowlist'),
  keyspaceIds: nullableJsonColumn<string[]>('keyspace_ids'),
  rolledToId: 'rolled_to_id',
  otherWorkspaceIds: jsonColumn<string[]>('other_workspace_ids'),
});
const rootKeyFromRow = (row: object) => ROOT_KEY_COLUMNS.read(row);

/** The root key port over Kysely. */
export class KyselyRootKeyRepos extends KyselyHandle implements RootKeyRepos {
  async insertRootKey(rk: RootKeyRecord): Promise<void> {
    await insertRow(this.db, 'root_keys', ROOT_KEY_COLUMNS.write(rk));
  }

  findRootKeyByHash(hash: string): Promise<RootKeyRecord | undefined> {
    return rowWhere(this.db, 'root_keys', { hash }, rootKeyFromRow);
  }

  getRootKey(id: string): Promise<RootKeyRecord | undefined> {
    return rowWhere(this.db, 'root_keys', { id }, rootKeyFromRow);
  }

  listRootKeys(workspaceId: string): Promise<RootKeyRecord[]> {
    return rowsWhere(this.db, 'root_keys', { workspace_id: workspaceId }, 'id', rootKeyFromRow);
  }

  async updateRootKey(
    id: string,
    patch: Partial<Pick<RootKeyRecord, 'revokedAt' | 'expiresAt' | 'rolledToId' | 'hash' | 'pepperVersion' | 'otherWorkspaceIds'>>,
  ): Promise<void> {
    const set = ROOT_KEY_COLUMNS.write(patch);
    if (Object.keys(set).length === 0) return;
    await this.db.updateTable('root_keys').set(set).where('id', '=', id).execute();
  }

  async markRootKeyRolled(id: string, o: { rolledToId: string; expiresAt: number }): Promise<boolean> {
    const r = await this.db
      .updateTable('root_keys')
      .set({ rolled_to_id: o.rolledToId, expires_at: o.expiresAt })
      .where('id', '=', id)
      .where('rolled_to_id', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return wroteOne(r);
  }

  async touchRootKeys(used: readonly { id: string; lastUsedAt: number }[]): Promise<void> {
    // Never moves the time back (two nodes may flush out of order).
    for (const u of used)
      await this.db
        .updateTable('root_keys')
        .set({ last_used_at: u.lastUsedAt })
        .where('id', '=', u.id)
        .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', u.lastUsedAt)]))
        .execute();
  }

  countRootKeys(): Promise<number> {
    return countRows(this.db, 'root_keys');
  }
}
