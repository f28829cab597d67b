import type { SecretRecord, SecretVersionRecord, VaultRepos } from '@tessera/core';
import type { Selectable } from 'kysely';
import { KyselyHandle } from '../kysely-handle.js';
import { rowsWhere, rowWhere } from '../rows.js';
import type { Database } from '../schema.js';

/** The vault's port over Kysely: secrets, and their versions as keyring ciphertexts. */
export class KyselyVaultRepos extends KyselyHandle implements VaultRepos {
  async getSecret(workspaceId: string, name: string, options: { lock?: boolean } = {}): Promise<SecretRecord | undefined> {
    let query = this.db.selectFrom('secrets').selectAll().where('workspace_id', '=', workspaceId).where('name', '=', name);
    if (options.lock && this.locksRows) query = query.forUpdate();
    const row = await query.executeTakeFirst();
    return row && secretFromRow(row);
  }

  listSecrets(workspaceId: string): Promise<SecretRecord[]> {
    return rowsWhere(this.db, 'secrets', { workspace_id: workspaceId }, 'name', secretFromRow);
  }

  async insertSecret(s: SecretRecord): Promise<void> {
    await this.db
      .insertInto('secrets')
      .values({
        id: s.id,
        workspace_id: s.workspaceId,
        name: s.name,
        current_version: s.currentVersion,
        rotate_by: s.rotateBy,
        created_at: s.createdAt,
        updated_at: s.updatedAt,
      })
      .execute();
  }

  async updateSecret(id: string, patch: { currentVersion?: number; rotateBy?: number | null; updatedAt: number }): Promise<void> {
    await this.db
      .updateTable('secrets')
      .set({
        updated_at: patch.updatedAt,
        ...(patch.currentVersion !== undefined && { current_version: patch.currentVersion }),
        ...(patch.rotateBy !== undefined && { rotate_by: patch.rotateBy }),
      })
      .where('id', '=', id)
      .execute();
  }

  async insertSecretVersion(v: SecretVersionRecord): Promise<void> {
    await this.db
      .insertInto('secret_versions')
      .values({ secret_id: v.secretId, version: v.version, ciphertext: v.ciphertext, created_at: v.createdAt, created_by: v.createdBy })
      .execute();
  }

  getSecretVersion(secretId: string, version: number): Promise<SecretVersionRecord | undefined> {
    return rowWhere(this.db, 'secret_versions', { secret_id: secretId, version }, (r) => ({
      secretId: r.secret_id,
      version: r.version,
      ciphertext: r.ciphertext,
      createdAt: Number(r.created_at),
      createdBy: r.created_by,
    }));
  }

  async listSecretVersions(secretId: string): Promise<{ version: number; createdAt: number }[]> {
    const rows = await this.db
      .selectFrom('secret_versions')
      .select(['version', 'created_at'])
      .where('secret_id', '=', secretId)
      .orderBy('version')
      .execute();
    return rows.map((r) => ({ version: r.version, createdAt: Number(r.created_at) }));
  }

  async deleteSecret(id: string): Promise<number> {
    const r = await this.db.deleteFrom('secret_versions').where('secret_id', '=', id).executeTakeFirst();
    await this.db.deleteFrom('secrets').where('id', '=', id).execute();
    return Number(r.numDeletedRows);
  }
}

function secretFromRow(r: Selectable<Database['secrets']>): SecretRecord {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    name: r.name,
    currentVersion: r.current_version,
    rotateBy: r.rotate_by === null ? null : Number(r.rotate_by),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}
