import type { Kysely } from 'kysely';
import { CREATED_AND_UPDATED, createTables, ID_AND_WORKSPACE } from './tables.js';

/** Keyring (wrapped data keys and peppers), the secrets vault, recoverable keys, signed audit checkpoints. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await createTables(db, {
    keyring_keys: {
      id: 'varchar(64) primary key',
      scope: 'varchar(64) not null',
      purpose: 'varchar(16) not null',
      version: 'integer not null',
      kek_version: 'integer not null',
      wrapped: 'text not null',
      created_at: 'bigint not null',
      // One key per (scope, purpose, version): two nodes making the same key cannot both win.
      keyring_keys_version: 'unique index (scope, purpose, version)',
    },

    secrets: {
      ...ID_AND_WORKSPACE,
      name: 'varchar(200) not null',
      current_version: 'integer not null',
      rotate_by: 'bigint',
      ...CREATED_AND_UPDATED,
      secrets_name: 'unique index (workspace_id, name)',
    },

    secret_versions: {
      secret_id: 'varchar(64) not null references secrets.id',
      version: 'integer not null',
      ciphertext: 'text not null',
      created_at: 'bigint not null',
      created_by: 'varchar(128) not null',
      secret_versions_pk: 'primary key (secret_id, version)',
    },

    key_recovery: {
      key_id: 'varchar(64) primary key references keys.id',
      ciphertext: 'text not null',
      created_at: 'bigint not null',
    },

    audit_signing_keys: {
      version: 'integer primary key',
      public_key: 'text not null',
      private_key: 'text not null',
      created_at: 'bigint not null',
    },

    audit_checkpoints: {
      seq: 'bigint primary key',
      hash: 'varchar(64) not null',
      ts: 'bigint not null',
      key_version: 'integer not null',
      signature: 'text not null',
    },
  });
}
