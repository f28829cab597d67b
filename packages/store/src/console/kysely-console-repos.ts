import type {
  ConsolePasskeyRecord,
  ConsoleRepos,
  ConsoleSessionRecord,
  ConsoleSsoLinkRecord,
  ConsoleUserPatch,
  ConsoleUserRecord,
  PasskeyChallenge,
  SessionStage,
} from '@tessera/core';
import { sql, type Kysely, type Transaction } from 'kysely';
import { OwnTablesAdapter } from '../own-tables.js';
import { insertRow, raiseColumn, rowWhere, wroteOne } from '../rows.js';
import type { Database } from '../schema.js';
import { KyselyPasskeyTable } from '../passkeys/kysely-passkey-table.js';
import { SESSION_COLUMNS, USER_COLUMNS } from './console-rows.js';
import type { ConsoleTables } from './console-schema.js';

type Db = ConsoleTables & Pick<Database, 'keys'>;
type Row<T extends keyof ConsoleTables> = ConsoleTables[T];

/** The console's storage port over a Kysely handle — the whole database, or one transaction. */
export class KyselyConsoleRepos extends OwnTablesAdapter<Db> implements ConsoleRepos {
  private readonly passkeys: KyselyPasskeyTable;

  constructor(db: Kysely<Database> | Transaction<Database>) {
    super(db);
    this.passkeys = new KyselyPasskeyTable(db as unknown as Kysely<never>, {
      passkeys: 'console_passkeys',
      holders: 'console_sessions',
      key: 'id_hash',
    });
  }

  insertUser(u: ConsoleUserRecord): Promise<void> {
    return insertRow(this.db, 'console_users', USER_COLUMNS.write(u));
  }

  getUser(id: string): Promise<ConsoleUserRecord | undefined> {
    return this.userWhere('id', id);
  }

  findUserByEmail(email: string): Promise<ConsoleUserRecord | undefined> {
    return this.userWhere('email', email);
  }

  async listUsers(workspaceId: string): Promise<ConsoleUserRecord[]> {
    const rows = await this.db.selectFrom('console_users').selectAll().where('workspace_id', '=', workspaceId).orderBy('id').execute();
    return rows.map((r) => USER_COLUMNS.read(r));
  }

  async listUsersReaching(workspaceId: string): Promise<ConsoleUserRecord[]> {
    // The JSON text holds the id in quotes; LIKE narrows the rows, the exact test is on the parsed list.
    const pattern = `%"${workspaceId.replace(/[\\%_]/g, (c) => `\\${c}`)}"%`;
    const rows = await this.db
      .selectFrom('console_users')
      .selectAll()
      .where(sql<boolean>`other_workspace_ids like ${pattern} escape '\\'`)
      .where('workspace_id', '!=', workspaceId)
      .orderBy('id')
      .execute();
    return rows.map((r) => USER_COLUMNS.read(r)).filter((u) => u.otherWorkspaceIds.includes(workspaceId));
  }

  async updateUser(id: string, patch: ConsoleUserPatch): Promise<void> {
    const row = USER_COLUMNS.write(patch);
    if (Object.keys(row).length === 0) return;
    await this.db.updateTable('console_users').set(row).where('id', '=', id).execute();
  }

  async incrementFailedLogins(id: string, at: number): Promise<number> {
    await this.db
      .updateTable('console_users')
      .set({ failed_logins: sql<number>`failed_logins + 1`, updated_at: at })
      .where('id', '=', id)
      .execute();
    const row = await this.db.selectFrom('console_users').select('failed_logins').where('id', '=', id).executeTakeFirst();
    return row === undefined ? 0 : Number(row.failed_logins);
  }

  spendTotpStep(id: string, step: number, at: number): Promise<boolean> {
    return raiseColumn(this.db, 'console_users', { id }, 'totp_last_step', step, { updated_at: at });
  }

  async replaceRecoveryCodes(id: string, expected: string[], next: string[], at: number): Promise<boolean> {
    const r = await this.db
      .updateTable('console_users')
      .set({ recovery_codes: JSON.stringify(next), updated_at: at })
      .where('id', '=', id)
      .where('recovery_codes', '=', JSON.stringify(expected))
      .executeTakeFirst();
    return wroteOne(r);
  }

  async insertSession(s: ConsoleSessionRecord): Promise<void> {
    await this.db
      .insertInto('console_sessions')
      .values({
        ...SESSION_COLUMNS.write(s),
        challenge: null,
        challenge_purpose: null,
        challenge_expires_at: null,
      } as Row<'console_sessions'>)
      .execute();
  }

  async getSession(idHash: string): Promise<ConsoleSessionRecord | undefined> {
    const r = await this.db
      .selectFrom('console_sessions')
      .select(SESSION_COLUMNS.names as (keyof Row<'console_sessions'>)[])
      .where('id_hash', '=', idHash)
      .executeTakeFirst();
    return r && SESSION_COLUMNS.read(r);
  }

  async touchSession(idHash: string, lastSeenAt: number): Promise<void> {
    await this.db.updateTable('console_sessions').set({ last_seen_at: lastSeenAt }).where('id_hash', '=', idHash).execute();
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.db.deleteFrom('console_sessions').where('id_hash', '=', idHash).execute();
  }

  async deleteUserSessions(userId: string, exceptIdHash?: string, stage?: SessionStage): Promise<void> {
    let q = this.db.deleteFrom('console_sessions').where('user_id', '=', userId);
    if (exceptIdHash !== undefined) q = q.where('id_hash', '<>', exceptIdHash);
    if (stage !== undefined) q = q.where('stage', '=', stage);
    await q.execute();
  }

  async purgeSessions(idleBefore: number, now: number): Promise<number> {
    const r = await this.db
      .deleteFrom('console_sessions')
      .where((eb) => eb.or([eb('last_seen_at', '<', idleBefore), eb('expires_at', '<=', now)]))
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  setChallenge(idHash: string, c: PasskeyChallenge): Promise<void> {
    return this.passkeys.setChallenge(idHash, c);
  }

  takeChallenge(idHash: string): Promise<PasskeyChallenge | undefined> {
    return this.passkeys.takeChallenge(idHash);
  }

  insertPasskey(p: ConsolePasskeyRecord): Promise<void> {
    return this.passkeys.insert(p);
  }

  listPasskeys(userId: string): Promise<ConsolePasskeyRecord[]> {
    return this.passkeys.list(userId);
  }

  findPasskeyByCredentialId(credentialId: string): Promise<ConsolePasskeyRecord | undefined> {
    return this.passkeys.findByCredentialId(credentialId);
  }

  recordPasskeyUse(id: string, expectedCounter: number, counter: number, at: number): Promise<boolean> {
    return this.passkeys.recordUse(id, expectedCounter, counter, at);
  }

  deletePasskey(userId: string, id: string): Promise<boolean> {
    return this.passkeys.delete(userId, id);
  }

  findSsoLink(issuer: string, subject: string): Promise<ConsoleSsoLinkRecord | undefined> {
    return rowWhere(this.db, 'console_sso_links', { issuer, subject }, (row) => ({
      issuer: row.issuer,
      subject: row.subject,
      userId: row.user_id,
      createdAt: Number(row.created_at),
    }));
  }

  async insertSsoLink(l: ConsoleSsoLinkRecord): Promise<boolean> {
    const r = await this.db
      .insertInto('console_sso_links')
      .values({ issuer: l.issuer, subject: l.subject, user_id: l.userId, created_at: l.createdAt })
      .onConflict((oc) => oc.columns(['issuer', 'subject']).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async countActiveKeys(workspaceId: string, now: number): Promise<number> {
    const row = await this.db
      .selectFrom('keys')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('workspace_id', '=', workspaceId)
      .where('revoked_at', 'is', null)
      .where('deleted_at', 'is', null)
      .where('enabled', '=', 1)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  private async userWhere(column: 'id' | 'email', value: string): Promise<ConsoleUserRecord | undefined> {
    const row = await this.db.selectFrom('console_users').selectAll().where(column, '=', value).executeTakeFirst();
    return row && USER_COLUMNS.read(row);
  }
}
