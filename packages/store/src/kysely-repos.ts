import type { AuditQuery, AuditRecord, KeyRecord, KeyspaceRecord, Page, Repos, RootKeyRecord } from '@tessera/core';
import { sql, type Kysely, type Transaction } from 'kysely';
import { auditFromRow, keyFromRow, keyspaceFromRow, keyToRow, rootKeyFromRow } from './rows.js';
import type { Database } from './schema.js';

/** The storage port over a Kysely handle — the whole database, or one transaction. */
export class KyselyRepos implements Repos {
  constructor(
    protected readonly db: Kysely<Database> | Transaction<Database>,
    protected readonly dialectName: 'sqlite' | 'postgres',
    private readonly inTransaction: boolean,
  ) {}

  async findKeyByHash(hash: string): Promise<KeyRecord | undefined> {
    const row = await this.db.selectFrom('keys').selectAll().where('hash', '=', hash).executeTakeFirst();
    return row && keyFromRow(row);
  }

  async getKey(id: string): Promise<KeyRecord | undefined> {
    const row = await this.db.selectFrom('keys').selectAll().where('id', '=', id).executeTakeFirst();
    return row && keyFromRow(row);
  }

  async listKeys(q: { workspaceId: string; keyspaceId: string; ownerId?: string | undefined } & Page): Promise<KeyRecord[]> {
    let query = this.db
      .selectFrom('keys')
      .selectAll()
      .where('workspace_id', '=', q.workspaceId)
      .where('keyspace_id', '=', q.keyspaceId)
      .where('deleted_at', 'is', null);
    if (q.ownerId !== undefined) query = query.where('owner_id', '=', q.ownerId);
    if (q.after !== undefined) query = query.where('id', '>', q.after);
    const rows = await query.orderBy('id').limit(q.limit).execute();
    return rows.map(keyFromRow);
  }

  async listLiveKeyIdsByOwner(workspaceId: string, ownerId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('keys')
      .select('id')
      .where('workspace_id', '=', workspaceId)
      .where('owner_id', '=', ownerId)
      .where('revoked_at', 'is', null)
      .where('deleted_at', 'is', null)
      .orderBy('id')
      .execute();
    return rows.map((r) => r.id);
  }

  async insertKey(key: KeyRecord): Promise<void> {
    await this.db.insertInto('keys').values(keyToRow(key) as Database['keys']).execute();
  }

  async updateKey(id: string, patch: Partial<Omit<KeyRecord, 'id' | 'version'>>): Promise<void> {
    await this.db
      .updateTable('keys')
      // The version guards credits only: a usage write that raced with a management change of
      // credits is dropped, while changes to anything else leave spent credits to be written.
      .set({ ...keyToRow(patch), ...(patch.credits !== undefined && { version: sql<number>`version + 1` }) })
      .where('id', '=', id)
      .execute();
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

  async getKeyspace(id: string): Promise<KeyspaceRecord | undefined> {
    const row = await this.db.selectFrom('keyspaces').selectAll().where('id', '=', id).executeTakeFirst();
    return row && keyspaceFromRow(row);
  }

  async listKeyspaces(workspaceId: string): Promise<KeyspaceRecord[]> {
    const rows = await this.db.selectFrom('keyspaces').selectAll().where('workspace_id', '=', workspaceId).orderBy('id').execute();
    return rows.map(keyspaceFromRow);
  }

  async insertRootKey(rk: RootKeyRecord): Promise<void> {
    await this.db
      .insertInto('root_keys')
      .values({
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
      })
      .execute();
  }

  async findRootKeyByHash(hash: string): Promise<RootKeyRecord | undefined> {
    const row = await this.db.selectFrom('root_keys').selectAll().where('hash', '=', hash).executeTakeFirst();
    return row && rootKeyFromRow(row);
  }

  async getRootKey(id: string): Promise<RootKeyRecord | undefined> {
    const row = await this.db.selectFrom('root_keys').selectAll().where('id', '=', id).executeTakeFirst();
    return row && rootKeyFromRow(row);
  }

  async listRootKeys(workspaceId: string): Promise<RootKeyRecord[]> {
    const rows = await this.db.selectFrom('root_keys').selectAll().where('workspace_id', '=', workspaceId).orderBy('id').execute();
    return rows.map(rootKeyFromRow);
  }

  async updateRootKey(id: string, patch: Partial<Pick<RootKeyRecord, 'revokedAt' | 'lastUsedAt'>>): Promise<void> {
    const set: { revoked_at?: number | null; last_used_at?: number | null } = {};
    if (patch.revokedAt !== undefined) set.revoked_at = patch.revokedAt;
    if (patch.lastUsedAt !== undefined) set.last_used_at = patch.lastUsedAt;
    await this.db.updateTable('root_keys').set(set).where('id', '=', id).execute();
  }

  async countRootKeys(): Promise<number> {
    const row = await this.db.selectFrom('root_keys').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async insertWorkspace(ws: { id: string; name: string; createdAt: number }): Promise<void> {
    await this.db.insertInto('workspaces').values({ id: ws.id, name: ws.name, created_at: ws.createdAt }).execute();
  }

  async auditHead(): Promise<{ seq: number; hash: string }> {
    let query = this.db.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1);
    // SQLite transactions already hold the only write lock; PostgreSQL needs the row locked.
    if (this.inTransaction && this.dialectName === 'postgres') query = query.forUpdate();
    const row = await query.executeTakeFirstOrThrow();
    return { seq: Number(row.seq), hash: row.hash };
  }

  async appendAudit(e: AuditRecord): Promise<void> {
    if (!this.inTransaction) throw new Error('audit entries are appended inside a transaction');
    await this.db
      .insertInto('audit_log')
      .values({
        seq: e.seq,
        id: e.id,
        ts: e.ts,
        workspace_id: e.workspaceId,
        actor: e.actor,
        action: e.action,
        target: e.target,
        ip: e.ip,
        details: JSON.stringify(e.details),
        prev_hash: e.prevHash,
        hash: e.hash,
      })
      .execute();
    await this.db.updateTable('audit_head').set({ seq: e.seq, hash: e.hash }).where('id', '=', 1).execute();
  }

  async listAudit(q: AuditQuery): Promise<AuditRecord[]> {
    let query = this.db.selectFrom('audit_log').selectAll();
    if (q.workspaceId !== undefined) query = query.where('workspace_id', '=', q.workspaceId);
    if (q.beforeSeq !== undefined) query = query.where('seq', '<', q.beforeSeq);
    if (q.action !== undefined) query = query.where('action', '=', q.action);
    if (q.actor !== undefined) query = query.where('actor', '=', q.actor);
    const rows = await query.orderBy('seq', 'desc').limit(q.limit).execute();
    return rows.map(auditFromRow);
  }

  async scanAudit(fromSeq: number, limit: number): Promise<AuditRecord[]> {
    const rows = await this.db.selectFrom('audit_log').selectAll().where('seq', '>=', fromSeq).orderBy('seq').limit(limit).execute();
    return rows.map(auditFromRow);
  }
}
