import type { Kysely } from 'kysely';
import { addColumns, createTable } from '../migrations/tables.js';

/**
 * Creates a passkey table, as migrations 0009 (`console_passkeys`) and 0037 (`end_user_passkeys`)
 * made theirs: a credential's public key is public; its id is unique. Migrations do not change once
 * released, so neither does this.
 */
export async function createPasskeyTable(db: Kysely<unknown>, table: string, users: string): Promise<void> {
  await createTable(db, table, {
    id: 'varchar(64) primary key',
    user_id: `varchar(64) not null references ${users}.id`,
    credential_id: 'varchar(1400) not null unique',
    public_key: 'text not null',
    counter: 'bigint not null',
    transports: 'text not null',
    name: 'varchar(100) not null',
    created_at: 'bigint not null',
    last_used_at: 'bigint',
    [`${table}_user`]: 'index (user_id)',
  });
}

/** Adds the three columns that hold one WebAuthn challenge to a table (a console session, an end user). */
export async function addChallengeColumns(db: Kysely<unknown>, table: string): Promise<void> {
  await addColumns(db, table, {
    challenge: 'varchar(128)',
    challenge_purpose: 'varchar(16)',
    challenge_expires_at: 'bigint',
  });
}
