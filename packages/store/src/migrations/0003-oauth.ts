import type { Kysely } from 'kysely';
import { CREATED_AND_UPDATED, createTables, ID_AND_WORKSPACE, ONE_TIME_LIFE } from './tables.js';

/** The OAuth 2.0 authorization server: clients, signing keys, refresh-token families, revocations. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await createTables(db, {
    oauth_clients: {
      ...ID_AND_WORKSPACE,
      name: 'varchar(200) not null',
      scopes: 'text not null',
      audience: 'text not null',
      grant_types: 'text not null',
      auth_method: 'varchar(32) not null',
      jwks: 'text',
      access_token_format: 'varchar(16) not null',
      signing_alg: 'varchar(16) not null',
      access_token_ttl: 'integer not null',
      refresh_token_ttl: 'integer not null',
      refresh_grace_seconds: 'integer not null',
      dpop_bound: 'integer not null',
      dpop_nonce: 'integer not null',
      ...CREATED_AND_UPDATED,
      deleted_at: 'bigint',
      oauth_clients_workspace: 'index (workspace_id, id)',
    },

    // Only HMACs of secrets under the keyring pepper.
    oauth_client_secrets: {
      id: 'varchar(64) primary key',
      client_id: 'varchar(64) not null references oauth_clients.id',
      hash: 'varchar(64) not null unique',
      pepper_version: 'integer not null',
      created_at: 'bigint not null',
      expires_at: 'bigint',
      oauth_client_secrets_client: 'index (client_id)',
    },

    // Private keys only as keyring ciphertexts bound to their kid.
    oauth_signing_keys: {
      kid: 'varchar(128) primary key',
      alg: 'varchar(16) not null',
      public_jwk: 'text not null',
      private_key: 'text not null',
      created_at: 'bigint not null',
      activates_at: 'bigint not null',
      retires_at: 'bigint not null',
      expires_at: 'bigint not null',
    },

    oauth_token_families: {
      ...ID_AND_WORKSPACE,
      client_id: 'varchar(64) not null',
      subject: 'varchar(256) not null',
      api_key_id: 'varchar(64)',
      scope: 'text not null',
      audience: 'text not null',
      created_at: 'bigint not null',
      revoked_at: 'bigint',
      revoke_reason: 'varchar(64)',
    },

    oauth_refresh_tokens: {
      id: 'varchar(64) primary key',
      family_id: 'varchar(64) not null references oauth_token_families.id',
      hash: 'varchar(64) not null unique',
      ...ONE_TIME_LIFE,
      replaced_by_id: 'varchar(64)',
      oauth_refresh_tokens_family: 'index (family_id)',
    },

    oauth_opaque_tokens: {
      hash: 'varchar(64) primary key',
      jti: 'varchar(64) not null',
      workspace_id: 'varchar(64) not null',
      client_id: 'varchar(64) not null',
      subject: 'varchar(256) not null',
      scope: 'text not null',
      audience: 'text not null',
      jkt: 'varchar(64)',
      issued_at: 'bigint not null',
      expires_at: 'bigint not null',
      revoked_at: 'bigint',
      oauth_opaque_tokens_expiry: 'index (expires_at)',
    },

    oauth_revoked_jtis: {
      jti: 'varchar(128) primary key',
      expires_at: 'bigint not null',
    },

    // One-time values (assertion and DPoP proof jtis), shared by every node.
    oauth_once: {
      key: 'varchar(400) primary key',
      expires_at: 'bigint not null',
      oauth_once_expiry: 'index (expires_at)',
    },
  });
}
