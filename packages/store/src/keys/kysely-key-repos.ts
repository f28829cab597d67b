import type { KeyListQuery, KeyRecord, KeyRepos } from '@tessera/core';
import { sql } from 'kysely';
import { KyselyHandle } from '../kysely-handle.js';
import { rowWhere, wroteOne } from '../rows.js';
import type { Database } from '../schema.js';
import { keyFromRow, keyToRow } from './key-rows.js';

/** The columns a key listing's search text is looked for in. */
const SEARCHED = ['name', 'id', 'owner_id', 'start'] as const;

/** The key port over Kysely (its `changeKey` in kysely-key-changes.ts). */
export class KyselyKeyRepos extends KyselyHandle implements Omit<KeyRepos, 'changeKey'> {
  findKeyByHash(hash: string): Promise<KeyRecord | undefined> {
    return rowWhere(this.db, 'keys', { hash }, keyFromRow);
  }

  getKey(id: string): Promise<KeyRecord | undefined> {
    return rowWhere(this.db, 'keys', { id }, keyFromRow);
  }

  async listKeys(q: KeyListQuery): Promise<KeyRecord[]> {
    let query = this.db.selectFrom('keys').selectAll().where('workspace_id', '=', q.workspaceId).where('deleted_at', 'is', null);
    if (q.keyspaceId !== undefined) query = query.where('keyspace_id', '=', q.keyspaceId);
    if (q.ownerId !== undefined) query = query.where('owner_id', '=', q.ownerId);
    if (q.search !== undefined && q.search !== '') {
      // LIKE's own wildcards in the text are matched as themselves; lower() on both sides makes
      // PostgreSQL's LIKE as blind to case as SQLite's.
      const pattern = `%${q.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const found = SEARCHED.map((column) => sql`lower(${sql.ref(column)}) like ${pattern} escape '\\'`);
      query = query.where(sql<boolean>`(${sql.join(found, sql` or `)})`);
    }
    if (q.state !== undefined) {
      const { is, now } = q.state;
      if (is === 'revoked') query = query.where('revoked_at', 'is not', null);
      else {
        query = query.where('revoked_at', 'is', null);
        if (is === 'expired') query = query.where('expires_at', '<=', now);
        else
          query = query
            .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
            .where('enabled', '=', is === 'active' ? 1 : 0);
      }
    }
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
    const row = keyToRow(patch);
    if (Object.keys(row).length === 0) return;
    await this.db
      .updateTable('keys')
      // The version guards credits only: a usage write that raced with a management change of
      // credits is dropped, while changes to anything else leave spent credits to be written.
      .set({ ...row, ...(patch.credits !== undefined && { version: sql<number>`version + 1` }) })
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
    return wroteOne(r);
  }

  async forgetScheduledExpiry(id: string): Promise<{ previousExpiresAt: number | null } | undefined> {
    // The notices table belongs to the monitoring schema (migration 0005), in the same database.
    const { rows } = await sql<{ data: string }>`
      delete from monitoring_notices where kind = 'auto_expire' and subject = ${id} returning data`.execute(this.db);
    if (rows[0] === undefined) return undefined;
    const previous = (JSON.parse(rows[0].data) as { previousExpiresAt?: number | null }).previousExpiresAt;
    return { previousExpiresAt: previous === undefined || previous === null ? null : Number(previous) };
  }
}
