import type { RootKeyRecord, RootKeyRepos } from '@tessera/core';
import type { Selectable } from 'kysely';
import { KyselyHandle } from '../kysely-handle.js';
import { countRows, nullableNumber, rowsWhere, rowWhere, wroteOne } from '../rows.js';
import type { Database } from '../schema.js';

type RootKeyRow = Selectable<Database['root_keys']>;

/** The root key port over Kysely. */
export class KyselyRootKeyRepos extends KyselyHandle implements RootKeyRepos {
  async insertRootKey(rk: RootKeyRecord): Promise<void> {
    await this.db.insertInto('root_keys').values(rootKeyToRow(rk)).execute();
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
    patch: Partial<Pick<RootKeyRecord, 'revokedAt' | 'expiresAt' | 'rolledToId' | 'hash' | 'pepperVersion'>>,
  ): Promise<void> {
    const set: Partial<Pick<RootKeyRow, 'revoked_at' | 'expires_at' | 'rolled_to_id' | 'hash' | 'pepper_version'>> = {};
    if (patch.revokedAt !== undefined) set.revoked_at = patch.revokedAt;
    if (patch.expiresAt !== undefined) set.expires_at = patch.expiresAt;
    if (patch.rolledToId !== undefined) set.rolled_to_id = patch.rolledToId;
    if (patch.hash !== undefined) set.hash = patch.hash;
    if (patch.pepperVersion !== undefined) set.pepper_version = patch.pepperVersion;
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

function rootKeyToRow(rk: RootKeyRecord): RootKeyRow {
  return {
    id: rk.id,
    workspace_id: rk.workspaceId,
    name: rk.name,
    hash: rk.hash,
    pepper_version: rk.pepperVersion,
    start: rk.start,
    permissions: JSON.stringify(rk.permissions),
    created_at: rk.createdAt,
    revoked_at: rk.revokedAt,
    last_used_at: rk.lastUsedAt,
    expires_at: rk.expiresAt,
    ip_allowlist: JSON.stringify(rk.ipAllowlist),
    keyspace_ids: rk.keyspaceIds === null ? null : JSON.stringify(rk.keyspaceIds),
    rolled_to_id: rk.rolledToId,
  };
}

function rootKeyFromRow(r: RootKeyRow): RootKeyRecord {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    name: r.name,
    hash: r.hash,
    pepperVersion: r.pepper_version,
    start: r.start,
    permissions: JSON.parse(r.permissions) as string[],
    createdAt: Number(r.created_at),
    revokedAt: nullableNumber(r.revoked_at),
    lastUsedAt: nullableNumber(r.last_used_at),
    expiresAt: nullableNumber(r.expires_at),
    ipAllowlist: JSON.parse(r.ip_allowlist) as string[],
    keyspaceIds: r.keyspace_ids === null ? null : (JSON.parse(r.keyspace_ids) as string[]),
    rolledToId: r.rolled_to_id,
  };
}
