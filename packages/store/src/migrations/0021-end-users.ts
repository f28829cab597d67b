import type { Kysely } from 'kysely';
import { addColumns, collateIdsOnPostgres, CREATED_AND_UPDATED, createTables, ID_AND_WORKSPACE, ONE_TIME_LIFE } from './tables.js';

/**
 * Tokens for people: a workspace's end users, the consents they gave clients, authorization codes,
 * and the redirect URIs of clients. Nothing here is a secret in the clear: passwords are argon2id
 * hashes and codes are kept as keyed hashes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await addColumns(db, 'oauth_clients', { redirect_uris: "text default '[]' not null" });

  await createTables(db, {
    end_users: {
      ...ID_AND_WORKSPACE,
      email: 'varchar(254) not null',
      email_verified: 'integer not null',
      name: 'varchar(200)',
      password_hash: 'text not null',
      disabled_at: 'bigint',
      ...CREATED_AND_UPDATED,
      last_sign_in_at: 'bigint',
      end_users_workspace_email: 'unique (workspace_id, email)',
    },

    oauth_consents: {
      user_id: 'varchar(64) not null',
      client_id: 'varchar(64) not null',
      workspace_id: 'varchar(64) not null',
      scope: 'text not null',
      ...CREATED_AND_UPDATED,
      oauth_consents_pk: 'primary key (user_id, client_id)',
    },

    oauth_authorization_codes: {
      hash: 'varchar(64) primary key',
      workspace_id: 'varchar(64) not null',
      client_id: 'varchar(64) not null',
      user_id: 'varchar(64) not null',
      redirect_uri: 'text not null',
      code_challenge: 'varchar(64) not null',
      scope: 'text not null',
      nonce: 'text',
      auth_time: 'bigint not null',
      amr: 'text not null',
      ...ONE_TIME_LIFE,
      family_id: 'varchar(64)',
      access_token_jti: 'varchar(64)',
      access_token_expires_at: 'bigint',
      oauth_authorization_codes_expiry: 'index (expires_at)',
    },
  });

  await collateIdsOnPostgres(db, 'varchar(64)', { end_users: ['id', 'workspace_id'] });
}
