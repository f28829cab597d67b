import type { PasskeyChallenge, PasskeyRecord } from '@tessera/core';
import type { Kysely, Transaction } from 'kysely';
import { jsonColumn, nullableNumberColumn, numberColumn, RecordColumns } from '../record-columns.js';
import { wroteOne } from '../rows.js';

/** A passkey table's columns (`console_passkeys`, `end_user_passkeys`), field by field. */
export const PASSKEY_COLUMNS = new RecordColumns<PasskeyRecord>({
  id: 'id',
  userId: 'user_id',
  credentialId: 'credential_id',
  publicKey: 'public_key',
  counter: numberColumn('counter'),
  transports: jsonColumn<string[]>('transports'),
  name: 'name',
  createdAt: numberColumn('created_at'),
  lastUsedAt: nullableNumberColumn('last_used_at'),
});

/** A passkey table's row (migrations 0009 and 0037). */
export interface PasskeyRow {
  id: string;
  user_id: string;
  credential_id: string;
  public_key: string;
  counter: number;
  transports: string;
  name: string;
  created_at: number;
  last_used_at: number | null;
}

/** A row that holds one WebAuthn challenge (a console session, an end user), under its key column. */
interface HolderRow {
  key: string;
  challenge: string | null;
  challenge_purpose: string | null;
  challenge_expires_at: number | null;
}

/** The shape every passkey table and challenge holder has; the real names are given to the constructor. */
interface Tables {
  passkeys: PasskeyRow;
  holders: HolderRow;
}

/**
 * The statements of a passkey table and of the rows that hold its challenges, the same for the
 * console's users and a workspace's end users: only the table and column names differ.
 */
export class KyselyPasskeyTable {
  private readonly db: Kysely<Tables>;
  private readonly passkeys: 'passkeys';
  private readonly holders: 'holders';
  private readonly key: 'key';

  constructor(db: Kysely<never> | Transaction<never>, names: { passkeys: string; holders: string; key: string }) {
    this.db = db as unknown as Kysely<Tables>;
    // Kysely takes the names as written: these casts only name the shape above.
    this.passkeys = names.passkeys as 'passkeys';
    this.holders = names.holders as 'holders';
    this.key = names.key as 'key';
  }

  async insert(p: PasskeyRecord): Promise<void> {
    await this.db
      .insertInto(this.passkeys)
      .values(PASSKEY_COLUMNS.write(p) as unknown as PasskeyRow)
      .execute();
  }

  async list(userId: string): Promise<PasskeyRecord[]> {
    const rows = await this.db.selectFrom(this.passkeys).selectAll().where('user_id', '=', userId).orderBy('id').execute();
    return rows.map((r) => PASSKEY_COLUMNS.read(r));
  }

  /** How many passkeys each of these users has (users with none are left out), in one statement. */
  async countByUser(userIds: readonly string[]): Promise<Map<string, number>> {
    if (userIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom(this.passkeys)
      .select(['user_id', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('user_id', 'in', [...userIds])
      .groupBy('user_id')
      .execute();
    return new Map(rows.map((r) => [r.user_id, Number(r.n)]));
  }

  async findByCredentialId(credentialId: string): Promise<PasskeyRecord | undefined> {
    const row = await this.db.selectFrom(this.passkeys).selectAll().where('credential_id', '=', credentialId).executeTakeFirst();
    return row && PASSKEY_COLUMNS.read(row);
  }

  async recordUse(id: string, expectedCounter: number, counter: number, at: number): Promise<boolean> {
    const r = await this.db
      .updateTable(this.passkeys)
      .set({ counter, last_used_at: at })
      .where('id', '=', id)
      .where('counter', '=', expectedCounter)
      .executeTakeFirst();
    return wroteOne(r);
  }

  async delete(userId: string, id: string): Promise<boolean> {
    const r = await this.db.deleteFrom(this.passkeys).where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    return Number(r.numDeletedRows) === 1;
  }

  async deleteAll(userId: string): Promise<number> {
    const r = await this.db.deleteFrom(this.passkeys).where('user_id', '=', userId).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async setChallenge(key: string, c: PasskeyChallenge): Promise<void> {
    await this.db
      .updateTable(this.holders)
      .set({ challenge: c.challenge, challenge_purpose: c.purpose, challenge_expires_at: c.expiresAt })
      .where(this.key, '=', key)
      .execute();
  }

  async takeChallenge(key: string): Promise<PasskeyChallenge | undefined> {
    const r = await this.db
      .selectFrom(this.holders)
      .select(['challenge', 'challenge_purpose', 'challenge_expires_at'])
      .where(this.key, '=', key)
      .executeTakeFirst();
    if (r?.challenge == null || r.challenge_purpose === null || r.challenge_expires_at === null) return undefined;
    // Cleared only if still the same challenge: of two racing takers, one gets it.
    const cleared = await this.db
      .updateTable(this.holders)
      .set({ challenge: null, challenge_purpose: null, challenge_expires_at: null })
      .where(this.key, '=', key)
      .where('challenge', '=', r.challenge)
      .executeTakeFirst();
    if (!wroteOne(cleared)) return undefined;
    return {
      challenge: r.challenge,
      purpose: r.challenge_purpose as PasskeyChallenge['purpose'],
      expiresAt: Number(r.challenge_expires_at),
    };
  }
}
