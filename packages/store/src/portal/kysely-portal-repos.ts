import type { PortalRepos, PortalSessionRecord, PortalSettings } from '@tessera/core';
import { nullableNumberColumn, numberColumn, RecordColumns } from '../record-columns.js';
import { OwnTablesAdapter } from '../own-tables.js';
import { insertRow } from '../rows.js';

/** The portal's tables (migration 0027), declared beside their adapter. */
interface PortalTables {
  portal_sessions: {
    id: string;
    workspace_id: string;
    keyspace_id: string;
    owner_id: string;
    return_url: string;
    link_hash: string;
    link_expires_at: number;
    opened_at: number | null;
    session_hash: string | null;
    session_expires_at: number | null;
    created_at: number;
  };
  keyspaces: { id: string; portal_settings: string | null };
}

const COLUMNS = new RecordColumns<PortalSessionRecord>({
  id: 'id',
  workspaceId: 'workspace_id',
  keyspaceId: 'keyspace_id',
  ownerId: 'owner_id',
  returnUrl: 'return_url',
  linkHash: 'link_hash',
  linkExpiresAt: numberColumn('link_expires_at'),
  openedAt: nullableNumberColumn('opened_at'),
  sessionHash: 'session_hash',
  sessionExpiresAt: nullableNumberColumn('session_expires_at'),
  createdAt: numberColumn('created_at'),
});

/** The portal port over a Kysely handle — the whole database, or one transaction. */
export class KyselyPortalRepos extends OwnTablesAdapter<PortalTables> implements PortalRepos {
  async getPortalSettings(keyspaceId: string): Promise<PortalSettings | undefined> {
    const row = await this.db.selectFrom('keyspaces').select('portal_settings').where('id', '=', keyspaceId).executeTakeFirst();
    return row?.portal_settings == null ? undefined : (JSON.parse(row.portal_settings) as PortalSettings);
  }

  async setPortalSettings(keyspaceId: string, settings: PortalSettings): Promise<void> {
    await this.db
      .updateTable('keyspaces')
      .set({ portal_settings: JSON.stringify(settings) })
      .where('id', '=', keyspaceId)
      .execute();
  }

  insertPortalSession(session: PortalSessionRecord): Promise<void> {
    return insertRow(this.db, 'portal_sessions', COLUMNS.write(session));
  }

  async openPortalSession(linkHashes: readonly string[], now: number, cookie: { hash: string; expiresAt: number }) {
    if (linkHashes.length === 0) return undefined;
    // One conditional update: of two nodes racing for one link, one updates the row, the other none.
    const r = await this.db
      .updateTable('portal_sessions')
      .set({ opened_at: now, session_hash: cookie.hash, session_expires_at: cookie.expiresAt })
      .where('link_hash', 'in', linkHashes)
      .where('opened_at', 'is', null)
      .where('link_expires_at', '>', now)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) return undefined;
    const row = await this.db.selectFrom('portal_sessions').selectAll().where('session_hash', '=', cookie.hash).executeTakeFirst();
    return row && COLUMNS.read(row);
  }

  async findPortalSession(sessionHashes: readonly string[], now: number): Promise<PortalSessionRecord | undefined> {
    if (sessionHashes.length === 0) return undefined;
    const row = await this.db
      .selectFrom('portal_sessions')
      .selectAll()
      .where('session_hash', 'in', sessionHashes)
      .where('session_expires_at', '>', now)
      .executeTakeFirst();
    return row && COLUMNS.read(row);
  }

  async deleteEndedPortalSessions(before: number): Promise<number> {
    const r = await this.db
      .deleteFrom('portal_sessions')
      .where('link_expires_at', '<', before)
      .where((eb) => eb.or([eb('session_expires_at', 'is', null), eb('session_expires_at', '<', before)]))
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
