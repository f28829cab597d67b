import type {
  ConsolePasskeyRecord,
  ConsoleRepos,
  ConsoleRole,
  ConsoleSessionRecord,
  ConsoleUserRecord,
  PasskeyChallenge,
  SessionStage,
} from '@tessera/core';
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Database } from '../schema.js';
import type { ConsoleTables } from './console-schema.js';

type Db = ConsoleTables & Pick<Database, 'keys'>;
type UserRow = Selectable<ConsoleTables['console_users']>;
type PasskeyRow = Selectable<ConsoleTables['console_passkeys']>;
type UserPatch = Partial<Omit<ConsoleUserRecord, 'id' | 'workspaceId' | 'createdAt'>>;

const n = (v: number | null): number | null => (v === null ? null : Number(v));

function userFromRow(r: UserRow): ConsoleUserRecord {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    email: r.email,
    name: r.name,
    role: r.role as ConsoleRole,
    passwordHash: r.password_hash,
    totpSecret: r.totp_secret,
    totpPending: r.totp_pending,
    totpLastStep: n(r.totp_last_step),
    recoveryCodes: JSON.parse(r.recovery_codes) as string[],
    recoveryPepperVersion: r.recovery_pepper_version,
    failedLogins: r.failed_logins,
    lockedUntil: n(r.locked_until),
    disabledAt: n(r.disabled_at),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    lastLoginAt: n(r.last_login_at),
  };
}

function passkeyFromRow(r: PasskeyRow): ConsolePasskeyRecord {
  return {
    id: r.id,
    userId: r.user_id,
    credentialId: r.credential_id,
    publicKey: r.public_key,
    counter: Number(r.counter),
    transports: JSON.parse(r.transports) as string[],
    name: r.name,
    createdAt: Number(r.created_at),
    lastUsedAt: n(r.last_used_at),
  };
}

const COLUMNS: Record<keyof UserPatch, keyof ConsoleTables['console_users']> = {
  email: 'email',
  name: 'name',
  role: 'role',
  passwordHash: 'password_hash',
  totpSecret: 'totp_secret',
  totpPending: 'totp_pending',
  totpLastStep: 'totp_last_step',
  recoveryCodes: 'recovery_codes',
  recoveryPepperVersion: 'recovery_pepper_version',
  failedLogins: 'failed_logins',
  lockedUntil: 'locked_until',
  disabledAt: 'disabled_at',
  updatedAt: 'updated_at',
  lastLoginAt: 'last_login_at',
};

function userPatchToRow(patch: UserPatch): Partial<ConsoleTables['console_users']> {
  const row: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(patch)) {
    const column = COLUMNS[k as keyof UserPatch];
    if (v === undefined || column === undefined) continue;
    row[column] = k === 'recoveryCodes' ? JSON.stringify(v) : v;
  }
  return row;
}

/** The console's storage port over a Kysely handle — the whole database, or one transaction. */
export class KyselyConsoleRepos implements ConsoleRepos {
  private readonly db: Kysely<Db> | Transaction<Db>;

  constructor(db: Kysely<Database> | Transaction<Database>) {
    // The console's tables are declared beside their migration rather than in the shared schema.
    this.db = db as unknown as Kysely<Db>;
  }

  async insertUser(u: ConsoleUserRecord): Promise<void> {
    await this.db
      .insertInto('console_users')
      .values({ id: u.id, workspace_id: u.workspaceId, created_at: u.createdAt, ...userPatchToRow(u) } as ConsoleTables['console_users'])
      .execute();
  }

  async getUser(id: string): Promise<ConsoleUserRecord | undefined> {
    const row = await this.db.selectFrom('console_users').selectAll().where('id', '=', id).executeTakeFirst();
    return row && userFromRow(row);
  }

  async findUserByEmail(email: string): Promise<ConsoleUserRecord | undefined> {
    const row = await this.db.selectFrom('console_users').selectAll().where('email', '=', email).executeTakeFirst();
    return row && userFromRow(row);
  }

  async listUsers(workspaceId: string): Promise<ConsoleUserRecord[]> {
    const rows = await this.db.selectFrom('console_users').selectAll().where('workspace_id', '=', workspaceId).orderBy('id').execute();
    return rows.map(userFromRow);
  }

  async countUsers(): Promise<number> {
    const row = await this.db
      .selectFrom('console_users')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async updateUser(id: string, patch: UserPatch): Promise<void> {
    const row = userPatchToRow(patch);
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

  async spendTotpStep(id: string, step: number, at: number): Promise<boolean> {
    const r = await this.db
      .updateTable('console_users')
      .set({ totp_last_step: step, updated_at: at })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async replaceRecoveryCodes(id: string, expected: string[], next: string[], at: number): Promise<boolean> {
    const r = await this.db
      .updateTable('console_users')
      .set({ recovery_codes: JSON.stringify(next), updated_at: at })
      .where('id', '=', id)
      .where('recovery_codes', '=', JSON.stringify(expected))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async insertSession(s: ConsoleSessionRecord): Promise<void> {
    await this.db
      .insertInto('console_sessions')
      .values({
        id_hash: s.idHash,
        user_id: s.userId,
        stage: s.stage,
        created_at: s.createdAt,
        last_seen_at: s.lastSeenAt,
        expires_at: s.expiresAt,
        ip: s.ip,
        user_agent: s.userAgent,
        challenge: null,
        challenge_purpose: null,
        challenge_expires_at: null,
      })
      .execute();
  }

  async getSession(idHash: string): Promise<ConsoleSessionRecord | undefined> {
    const r = await this.db
      .selectFrom('console_sessions')
      .select(['id_hash', 'user_id', 'stage', 'created_at', 'last_seen_at', 'expires_at', 'ip', 'user_agent'])
      .where('id_hash', '=', idHash)
      .executeTakeFirst();
    if (r === undefined) return undefined;
    return {
      idHash: r.id_hash,
      userId: r.user_id,
      stage: r.stage as SessionStage,
      createdAt: Number(r.created_at),
      lastSeenAt: Number(r.last_seen_at),
      expiresAt: Number(r.expires_at),
      ip: r.ip,
      userAgent: r.user_agent,
    };
  }

  async touchSession(idHash: string, lastSeenAt: number): Promise<void> {
    await this.db.updateTable('console_sessions').set({ last_seen_at: lastSeenAt }).where('id_hash', '=', idHash).execute();
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.db.deleteFrom('console_sessions').where('id_hash', '=', idHash).execute();
  }

  async deleteUserSessions(userId: string, exceptIdHash?: string, stage?: 'password' | 'full'): Promise<void> {
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

  async setChallenge(idHash: string, c: PasskeyChallenge): Promise<void> {
    await this.db
      .updateTable('console_sessions')
      .set({ challenge: c.challenge, challenge_purpose: c.purpose, challenge_expires_at: c.expiresAt })
      .where('id_hash', '=', idHash)
      .execute();
  }

  async takeChallenge(idHash: string): Promise<PasskeyChallenge | undefined> {
    const r = await this.db
      .selectFrom('console_sessions')
      .select(['challenge', 'challenge_purpose', 'challenge_expires_at'])
      .where('id_hash', '=', idHash)
      .executeTakeFirst();
    if (r?.challenge == null || r.challenge_purpose === null || r.challenge_expires_at === null) return undefined;
    // Cleared only if still the same challenge: of two racing takers, one gets it.
    const cleared = await this.db
      .updateTable('console_sessions')
      .set({ challenge: null, challenge_purpose: null, challenge_expires_at: null })
      .where('id_hash', '=', idHash)
      .where('challenge', '=', r.challenge)
      .executeTakeFirst();
    if (Number(cleared.numUpdatedRows) !== 1) return undefined;
    return {
      challenge: r.challenge,
      purpose: r.challenge_purpose as PasskeyChallenge['purpose'],
      expiresAt: Number(r.challenge_expires_at),
    };
  }

  async insertPasskey(p: ConsolePasskeyRecord): Promise<void> {
    await this.db
      .insertInto('console_passkeys')
      .values({
        id: p.id,
        user_id: p.userId,
        credential_id: p.credentialId,
        public_key: p.publicKey,
        counter: p.counter,
        transports: JSON.stringify(p.transports),
        name: p.name,
        created_at: p.createdAt,
        last_used_at: p.lastUsedAt,
      })
      .execute();
  }

  async listPasskeys(userId: string): Promise<ConsolePasskeyRecord[]> {
    const rows = await this.db.selectFrom('console_passkeys').selectAll().where('user_id', '=', userId).orderBy('id').execute();
    return rows.map(passkeyFromRow);
  }

  async findPasskeyByCredentialId(credentialId: string): Promise<ConsolePasskeyRecord | undefined> {
    const row = await this.db.selectFrom('console_passkeys').selectAll().where('credential_id', '=', credentialId).executeTakeFirst();
    return row && passkeyFromRow(row);
  }

  async recordPasskeyUse(id: string, expectedCounter: number, counter: number, at: number): Promise<boolean> {
    const r = await this.db
      .updateTable('console_passkeys')
      .set({ counter, last_used_at: at })
      .where('id', '=', id)
      .where('counter', '=', expectedCounter)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async deletePasskey(userId: string, id: string): Promise<boolean> {
    const r = await this.db.deleteFrom('console_passkeys').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    return Number(r.numDeletedRows) === 1;
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
}
