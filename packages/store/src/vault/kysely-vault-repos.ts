import type { SecretRecord, SecretVersionRecord, VaultRepos } from '@tessera/core';
import { KyselyHandle } from '../kysely-handle.js';
import { nullableNumberColumn, numberColumn, RecordColumns } from '../record-columns.js';
import { insertRow, rowsWhere, rowWhere } from '../rows.js';

/** The columns of `secrets` and `secret_versions`, field by field. */
const SECRET_COLUMNS = new RecordColumns<SecretRecord>({
  id: 'id',
  workspaceId: 'workspace_id',
  name: 'name',
  currentVersion: 'current_version',
  rotateBy: nullableNumberColumn('rotate_by'),
  createdAt: numberColumn('created_at'),
  updatedAt: numberColumn('updated_at'),
});
const VERSION_COLUMNS = new RecordColumns<SecretVersionRecord>({
  secretId: 'secret_id',
  version: 'version',
  ciphertext: 'ciphertext',
  createdAt: numberColumn('created_at'),
  createdBy: 'created_by',
});
const secretFromRow = (row: object) => SECRET_COLUMNS.read(row);

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
    await insertRow(this.db, 'secrets', SECRET_COLUMNS.write(s));
  }

  async updateSecret(id: string, patch: { currentVersion?: number; rotateBy?: number | null; updatedAt: number }): Promise<void> {
    await this.db.updateTable('secrets').set(SECRET_COLUMNS.write(patch)).where('id', '=', id).execute();
  }

  async insertSecretVersion(v: SecretVersionRecord): Promise<void> {
    await insertRow(this.db, 'secret_versions', VERSION_COLUMNS.write(v));
  }

  getSecretVersion(secretId: string, version: number): Promise<SecretVersionRecord | undefined> {
    return rowWhere(this.db, 'secret_versions', { secret_id: secretId, version }, (row) => VERSION_COLUMNS.read(row));
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
