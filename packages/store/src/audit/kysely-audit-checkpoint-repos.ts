import type { AuditCheckpointRecord, AuditCheckpointRepos, AuditSigningKeyRecord } from '@tessera/core';
import { KyselyHandle } from '../kysely-handle.js';
import { numberColumn, RecordColumns } from '../record-columns.js';
import { insertIfAbsent } from '../rows.js';
import type { Database } from '../schema.js';

/** The columns of `audit_checkpoints` and `audit_signing_keys`, field by field. */
const CHECKPOINT_COLUMNS = new RecordColumns<AuditCheckpointRecord>({
  seq: numberColumn('seq'),
  hash: 'hash',
  ts: numberColumn('ts'),
  keyVersion: 'key_version',
  signature: 'signature',
});
const SIGNING_KEY_COLUMNS = new RecordColumns<AuditSigningKeyRecord>({
  version: 'version',
  publicKey: 'public_key',
  privateKey: 'private_key',
  createdAt: numberColumn('created_at'),
});
const checkpointFromRow = (row: object) => CHECKPOINT_COLUMNS.read(row);

/** The port of the audit chain's signed checkpoints and their signing keys over Kysely. */
export class KyselyAuditCheckpointRepos extends KyselyHandle implements AuditCheckpointRepos {
  async latestAuditCheckpoint(): Promise<AuditCheckpointRecord | undefined> {
    const r = await this.db.selectFrom('audit_checkpoints').selectAll().orderBy('seq', 'desc').limit(1).executeTakeFirst();
    return r && checkpointFromRow(r);
  }

  insertAuditCheckpoint(c: AuditCheckpointRecord): Promise<boolean> {
    return insertIfAbsent(this.db, 'audit_checkpoints', CHECKPOINT_COLUMNS.write(c) as Database['audit_checkpoints'], ['seq']);
  }

  async listAuditCheckpoints(afterSeq: number, limit: number): Promise<AuditCheckpointRecord[]> {
    const rows = await this.db
      .selectFrom('audit_checkpoints')
      .selectAll()
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map(checkpointFromRow);
  }

  async listAuditSigningKeys(): Promise<AuditSigningKeyRecord[]> {
    const rows = await this.db.selectFrom('audit_signing_keys').selectAll().orderBy('version').execute();
    return rows.map((row) => SIGNING_KEY_COLUMNS.read(row));
  }

  insertAuditSigningKey(k: AuditSigningKeyRecord): Promise<boolean> {
    return insertIfAbsent(this.db, 'audit_signing_keys', SIGNING_KEY_COLUMNS.write(k) as Database['audit_signing_keys'], ['version']);
  }
}
