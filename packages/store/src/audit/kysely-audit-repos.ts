import type { AuditAppend, AuditLink, AuditQuery, AuditRecord, AuditRepos } from '@tessera/core';
import { sql, type Selectable } from 'kysely';
import { KyselyHandle } from '../kysely-handle.js';
import type { Database } from '../schema.js';
import { auditAppendCtes, auditRow } from './audit-append-sql.js';

/** The audit chain's port over Kysely: the head (one row) and the entries. */
export class KyselyAuditRepos extends KyselyHandle implements Omit<AuditRepos, 'appendAuditAround'> {
  async auditHead(): Promise<{ seq: number; hash: string }> {
    let query = this.db.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1);
    // SQLite transactions already hold the only write lock; PostgreSQL needs the row locked.
    if (this.locksRows) query = query.forUpdate();
    const row = await query.executeTakeFirstOrThrow();
    return { seq: Number(row.seq), hash: row.hash };
  }

  /**
   * `appendAuditAround` on PostgreSQL inside a transaction (the repos offer it there only): one
   * statement locks the head, writes the entry numbered and hashed, and moves the head; one round
   * trip instead of three while the head is held.
   */
  async appendAuditInOne(e: AuditAppend['entry'], canonical: AuditAppend['canonical']): Promise<AuditLink> {
    const { rows } = await sql<{ seq: string | number; prev_hash: string; hash: string }>`
      with ${auditAppendCtes({ entry: e, canonical })} select seq, prev_hash, hash from moved`.execute(this.db);
    const r = rows[0]!;
    return { seq: Number(r.seq), prevHash: r.prev_hash, hash: r.hash };
  }

  async appendAudit(e: AuditRecord): Promise<void> {
    if (!this.inTransaction) throw new Error('audit entries are appended inside a transaction');
    const row = auditRow(e);
    const head = { seq: e.seq, hash: e.hash };
    if (this.dialectName === 'postgres') {
      // One round trip: on PostgreSQL the head stays locked from its read to the commit, and every
      // audited change of the cluster waits for it, so the fewer trips while it is held the better.
      await this.db
        .with('entry', (db) => db.insertInto('audit_log').values(row))
        .updateTable('audit_head')
        .set(head)
        .where('id', '=', 1)
        .execute();
      return;
    }
    await this.db.insertInto('audit_log').values(row).execute();
    await this.db.updateTable('audit_head').set(head).where('id', '=', 1).execute();
  }

  async listAudit(q: AuditQuery): Promise<AuditRecord[]> {
    let query = this.db.selectFrom('audit_log').selectAll();
    if (q.workspaceId !== undefined) query = query.where('workspace_id', '=', q.workspaceId);
    if (q.beforeSeq !== undefined) query = query.where('seq', '<', q.beforeSeq);
    if (q.action !== undefined) query = query.where('action', '=', q.action);
    if (q.actor !== undefined) query = query.where('actor', '=', q.actor);
    if (q.target !== undefined) query = query.where('target', '=', q.target);
    const rows = await query.orderBy('seq', 'desc').limit(q.limit).execute();
    return rows.map(auditFromRow);
  }

  async scanAudit(fromSeq: number, limit: number): Promise<AuditRecord[]> {
    const rows = await this.db.selectFrom('audit_log').selectAll().where('seq', '>=', fromSeq).orderBy('seq').limit(limit).execute();
    return rows.map(auditFromRow);
  }
}

function auditFromRow(r: Selectable<Database['audit_log']>): AuditRecord {
  return {
    seq: Number(r.seq),
    id: r.id,
    ts: Number(r.ts),
    workspaceId: r.workspace_id,
    actor: r.actor,
    action: r.action,
    target: r.target,
    ip: r.ip,
    details: JSON.parse(r.details) as Record<string, unknown>,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}
