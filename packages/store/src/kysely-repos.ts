import type { AuditQuery, AuditRecord, KeyRecord, KeyspaceRecord, Page, Repos, RootKeyRecord } from '@tessera/core';
import type {
  AuditCheckpointRecord,
  AuditSigningKeyRecord,
  KeyRecoveryRecord,
  SecretRecord,
  SecretVersionRecord,
  WrappedKeyRecord,
} from '@tessera/core';
import { sql, type Kysely, type Transaction } from 'kysely';
import { auditFromRow, keyFromRow, keyspaceFromRow, keyToRow, rootKeyFromRow } from './rows.js';
import { checkpointFromRow, secretFromRow, signingKeyFromRow, wrappedKeyFromRow } from './custody-rows.js';
import type { Database } from './schema.js';
import { KyselyConsoleRepos } from './console/kysely-console-repos.js';

/** The storage port over a Kysely handle — the whole database, or one transaction. */
export class KyselyRepos implements Repos {
  constructor(
    protected readonly db: Kysely<Database> | Transaction<Database>,
    protected readonly dialectName: 'sqlite' | 'postgres',
    private readonly inTransaction: boolean,
  ) {
    // PostgreSQL numbers and hashes an audit entry in the statement that appends it (see below).
    if (dialectName === 'postgres' && inTransaction) this.appendAuditAround = (entry, canonical) => this.appendAuditInOne(entry, canonical);
  }

  appendAuditAround?: Repos['appendAuditAround'];

  /** Console users and sessions (migration 0006), over the same handle. */
  get console(): KyselyConsoleRepos {
    return new KyselyConsoleRepos(this.db);
  }

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

  async revokeLiveKeysByOwner(workspaceId: string, ownerId: string, o: { at: number; reason: string | null }): Promise<KeyRecord[]> {
    // One statement, however many keys: a bulk revoke is one round trip, not two per key. On
    // PostgreSQL the rows are locked first in id order, the order usage writes lock them in, so the
    // two never wait on each other in a circle (a deadlock costs a second before it is broken).
    let live = this.db
      .selectFrom('keys')
      .select('id')
      .where('workspace_id', '=', workspaceId)
      .where('owner_id', '=', ownerId)
      .where('revoked_at', 'is', null)
      .where('deleted_at', 'is', null)
      .orderBy('id');
    if (this.dialectName === 'postgres') live = live.forUpdate();
    const rows = await this.db
      .updateTable('keys')
      .set({ revoked_at: o.at, revoke_reason: o.reason, updated_at: o.at })
      .where('id', 'in', live)
      .returningAll()
      .execute();
    return rows.map(keyFromRow).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async insertKey(key: KeyRecord): Promise<void> {
    await this.db
      .insertInto('keys')
      .values(keyToRow(key) as Database['keys'])
      .execute();
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

  async restoreSuspendedKey(id: string, o: { enabled: boolean; suspendedAt: number; at: number }): Promise<boolean> {
    const r = await this.db
      .updateTable('keys')
      .set({ enabled: o.enabled ? 1 : 0, updated_at: o.at })
      .where('id', '=', id)
      .where('enabled', '=', 0)
      .where('updated_at', '<=', o.suspendedAt)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async forgetScheduledExpiry(id: string): Promise<{ previousExpiresAt: number | null } | undefined> {
    // The notices table belongs to the monitoring schema (migration 0005), in the same database.
    const { rows } = await sql<{ data: string }>`
      delete from monitoring_notices where kind = 'auto_expire' and subject = ${id} returning data`.execute(this.db);
    if (rows[0] === undefined) return undefined;
    const previous = (JSON.parse(rows[0].data) as { previousExpiresAt?: number | null }).previousExpiresAt;
    return { previousExpiresAt: previous === undefined || previous === null ? null : Number(previous) };
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
        expires_at: rk.expiresAt,
        ip_allowlist: JSON.stringify(rk.ipAllowlist),
        keyspace_ids: rk.keyspaceIds === null ? null : JSON.stringify(rk.keyspaceIds),
        rolled_to_id: rk.rolledToId,
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

  async updateRootKey(
    id: string,
    patch: Partial<Pick<RootKeyRecord, 'revokedAt' | 'expiresAt' | 'rolledToId' | 'hash' | 'pepperVersion'>>,
  ): Promise<void> {
    const set: {
      revoked_at?: number | null;
      expires_at?: number | null;
      rolled_to_id?: string | null;
      hash?: string;
      pepper_version?: number;
    } = {};
    if (patch.revokedAt !== undefined) set.revoked_at = patch.revokedAt;
    if (patch.expiresAt !== undefined) set.expires_at = patch.expiresAt;
    if (patch.rolledToId !== undefined) set.rolled_to_id = patch.rolledToId;
    if (patch.hash !== undefined) set.hash = patch.hash;
    if (patch.pepperVersion !== undefined) set.pepper_version = patch.pepperVersion;
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
    return Number(r.numUpdatedRows) === 1;
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

  async countRootKeys(): Promise<number> {
    const row = await this.db
      .selectFrom('root_keys')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
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

  async revokeKey(id: string, workspaceId: string, o: { at: number; reason: string | null }): Promise<KeyRecord | undefined> {
    const row = await this.db
      .updateTable('keys')
      .set({ revoked_at: o.at, revoke_reason: o.reason, updated_at: o.at })
      .where('id', '=', id)
      .where('workspace_id', '=', workspaceId)
      .where('revoked_at', 'is', null)
      .where('deleted_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    return row && keyFromRow(row);
  }

  /**
   * One statement locks the head, writes the entry with the next seq and its hash (SHA-256 of the
   * previous hash and the canonical entry, as auditHash computes it) and moves the head: the head
   * is held from here to the commit, one round trip instead of three, while every other audited
   * change of the cluster waits for it.
   */
  private async appendAuditInOne(
    e: Omit<AuditRecord, 'seq' | 'prevHash' | 'hash'>,
    canonical: { before: string; after: string },
  ): Promise<{ seq: number; prevHash: string; hash: string }> {
    const { rows } = await sql<{ seq: string | number; prev_hash: string; hash: string }>`
      with head as (select seq + 1 as seq, hash as prev_hash from audit_head where id = 1 for update),
      entry as (
        insert into audit_log (seq, id, ts, workspace_id, actor, action, target, ip, details, prev_hash, hash)
        select seq, ${e.id}, ${e.ts}, ${e.workspaceId}, ${e.actor}, ${e.action}, ${e.target}, ${e.ip}, ${JSON.stringify(e.details)}, prev_hash,
          encode(sha256(convert_to(prev_hash || ${canonical.before}::text || seq::text || ${canonical.after}::text, 'UTF8')), 'hex')
        from head
        returning seq, prev_hash, hash
      )
      update audit_head set seq = entry.seq, hash = entry.hash from entry where audit_head.id = 1
      returning entry.seq, entry.prev_hash, entry.hash`.execute(this.db);
    const r = rows[0]!;
    return { seq: Number(r.seq), prevHash: r.prev_hash, hash: r.hash };
  }

  async appendAudit(e: AuditRecord): Promise<void> {
    if (!this.inTransaction) throw new Error('audit entries are appended inside a transaction');
    const row = {
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
    };
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
    const rows = await query.orderBy('seq', 'desc').limit(q.limit).execute();
    return rows.map(auditFromRow);
  }

  async scanAudit(fromSeq: number, limit: number): Promise<AuditRecord[]> {
    const rows = await this.db.selectFrom('audit_log').selectAll().where('seq', '>=', fromSeq).orderBy('seq').limit(limit).execute();
    return rows.map(auditFromRow);
  }

  // — Keyring, vault, recoverable keys, audit checkpoints (migration 0002) —

  async listWrappedKeys(
    q: { scope?: string | undefined; purpose?: WrappedKeyRecord['purpose'] | undefined } = {},
  ): Promise<WrappedKeyRecord[]> {
    let query = this.db.selectFrom('keyring_keys').selectAll();
    if (q.scope !== undefined) query = query.where('scope', '=', q.scope);
    if (q.purpose !== undefined) query = query.where('purpose', '=', q.purpose);
    return (await query.orderBy('scope').orderBy('purpose').orderBy('version').execute()).map(wrappedKeyFromRow);
  }

  async insertWrappedKey(k: WrappedKeyRecord): Promise<boolean> {
    const r = await this.db
      .insertInto('keyring_keys')
      .values({
        id: k.id,
        scope: k.scope,
        purpose: k.purpose,
        version: k.version,
        kek_version: k.kekVersion,
        wrapped: k.wrapped,
        created_at: k.createdAt,
        hmac_input: k.hmacInput ?? null,
      })
      .onConflict((oc) => oc.columns(['scope', 'purpose', 'version']).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async rewrapKey(id: string, fromKekVersion: number, kekVersion: number, wrapped: string): Promise<boolean> {
    const r = await this.db
      .updateTable('keyring_keys')
      .set({ kek_version: kekVersion, wrapped })
      .where('id', '=', id)
      .where('kek_version', '=', fromKekVersion)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async getSecret(workspaceId: string, name: string, options: { lock?: boolean } = {}): Promise<SecretRecord | undefined> {
    let query = this.db.selectFrom('secrets').selectAll().where('workspace_id', '=', workspaceId).where('name', '=', name);
    if (options.lock && this.inTransaction && this.dialectName === 'postgres') query = query.forUpdate();
    const row = await query.executeTakeFirst();
    return row && secretFromRow(row);
  }

  async listSecrets(workspaceId: string): Promise<SecretRecord[]> {
    return (await this.db.selectFrom('secrets').selectAll().where('workspace_id', '=', workspaceId).orderBy('name').execute()).map(
      secretFromRow,
    );
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

  async getSecretVersion(secretId: string, version: number): Promise<SecretVersionRecord | undefined> {
    const r = await this.db
      .selectFrom('secret_versions')
      .selectAll()
      .where('secret_id', '=', secretId)
      .where('version', '=', version)
      .executeTakeFirst();
    return (
      r && { secretId: r.secret_id, version: r.version, ciphertext: r.ciphertext, createdAt: Number(r.created_at), createdBy: r.created_by }
    );
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

  async insertKeyRecovery(r: KeyRecoveryRecord): Promise<void> {
    await this.db.insertInto('key_recovery').values({ key_id: r.keyId, ciphertext: r.ciphertext, created_at: r.createdAt }).execute();
  }

  async getKeyRecovery(keyId: string): Promise<KeyRecoveryRecord | undefined> {
    const r = await this.db.selectFrom('key_recovery').selectAll().where('key_id', '=', keyId).executeTakeFirst();
    return r && { keyId: r.key_id, ciphertext: r.ciphertext, createdAt: Number(r.created_at) };
  }

  async latestAuditCheckpoint(): Promise<AuditCheckpointRecord | undefined> {
    const r = await this.db.selectFrom('audit_checkpoints').selectAll().orderBy('seq', 'desc').limit(1).executeTakeFirst();
    return r && checkpointFromRow(r);
  }

  async insertAuditCheckpoint(c: AuditCheckpointRecord): Promise<boolean> {
    const r = await this.db
      .insertInto('audit_checkpoints')
      .values({ seq: c.seq, hash: c.hash, ts: c.ts, key_version: c.keyVersion, signature: c.signature })
      .onConflict((oc) => oc.column('seq').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async listAuditCheckpoints(afterSeq: number, limit: number): Promise<AuditCheckpointRecord[]> {
    return (
      await this.db.selectFrom('audit_checkpoints').selectAll().where('seq', '>', afterSeq).orderBy('seq').limit(limit).execute()
    ).map(checkpointFromRow);
  }

  async listAuditSigningKeys(): Promise<AuditSigningKeyRecord[]> {
    return (await this.db.selectFrom('audit_signing_keys').selectAll().orderBy('version').execute()).map(signingKeyFromRow);
  }

  async insertAuditSigningKey(k: AuditSigningKeyRecord): Promise<boolean> {
    const r = await this.db
      .insertInto('audit_signing_keys')
      .values({ version: k.version, public_key: k.publicKey, private_key: k.privateKey, created_at: k.createdAt })
      .onConflict((oc) => oc.column('version').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
  }
}
