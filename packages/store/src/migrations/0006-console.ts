import type { Kysely } from 'kysely';
import { CREATED_AND_UPDATED, createTables, ID_AND_WORKSPACE } from './tables.js';

/**
 * Console users and their sessions. Nothing here is a secret in the clear: passwords are argon2id
 * hashes, TOTP secrets are keyring ciphertexts, recovery codes are keyed hashes, and a session is
 * found by the SHA-256 of its token.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await createTables(db, {
    console_users: {
      ...ID_AND_WORKSPACE,
      email: 'varchar(254) not null unique',
      name: 'varchar(200)',
      role: 'varchar(16) not null',
      password_hash: 'text not null',
      totp_secret: 'text',
      totp_pending: 'text',
      totp_last_step: 'bigint',
      recovery_codes: 'text not null',
      recovery_pepper_version: 'integer not null',
      failed_logins: 'integer not null',
      locked_until: 'bigint',
      disabled_at: 'bigint',
      ...CREATED_AND_UPDATED,
      last_login_at: 'bigint',
    },

    console_sessions: {
      id_hash: 'varchar(64) primary key',
      user_id: 'varchar(64) not null references console_users.id',
      stage: 'varchar(16) not null',
      created_at: 'bigint not null',
      last_seen_at: 'bigint not null',
      expires_at: 'bigint not null',
      ip: 'varchar(64)',
      user_agent: 'varchar(256)',
      console_sessions_user: 'index (user_id)',
    },
  });
}
