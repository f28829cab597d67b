import type { AuditCheckpointRecord, AuditCheckpointRepos, AuditSigningKeyRecord } from '@tessera/core';
import type { Selectable } from 'kysely';
import { KyselyHandle } from '../kysely-handle.js';
import { insertIfAbsent } from '../rows.js';
import type { Database } from '../schema.js';

/** The port of the audit chain's signed checkpoints and their signing keys over Kysely. */
export class KyselyAuditCheckpointRepos extends KyselyHandle implements AuditCheckpointRepos {
  async latestAuditCheckpoint(): Promise<AuditCheckpointRecord | undefined> {
    const r = await this.db.selectFrom('audit_checkpoints').selectAll().orderBy('seq', 'desc').limit(1).executeTakeFirst();
    return r && checkpointFromRow(r);
  }

  insertAuditCheckpoint(c: AuditCheckpointRecord): Promise<boolean> {
    const row = { seq: c.seq, hash: c.hash, ts: c.ts, key_version: c.keyVersion, signature: c.signature };
    return insertIfAbsent(this.db, 'audit_checkpoints', row, ['seq']);
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
    return rows.map((r) => ({ version: r.version, publicKey: r.public_key, privateKey: r.private_key, createdAt: Number(r.created_at) }));
  }

  insertAuditSigningKey(k: AuditSigningKeyRecord): Promise<boolean> {
    const row = { version: k.version, public_key: k.publicKey, private_key: k.privateKey, created_at: k.createdAt };
    return insertIfAbsent(this.db, 'audit_signing_keys', row, ['version']);
  }
}

function checkpointFromRow(r: Selectable<Database['audit_checkpoints']>): AuditCheckpointRecord {
  return { seq: Number(r.seq), hash: r.hash, ts: Number(r.ts), keyVersion: r.key_version, signature: r.signature };
}
