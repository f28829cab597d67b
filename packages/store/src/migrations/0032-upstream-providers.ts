import { PostgresAdapter, sql, type Kysely } from 'kysely';
import { CREATED_AND_UPDATED, createTables, ID_AND_WORKSPACE, ONE_TIME_LIFE } from './tables.js';

/**
 * Sign-in with an upstream OpenID Provider: the workspace's providers (client secrets encrypted
 * under the workspace's data key), the upstream accounts linked to end users, and the sign-ins
 * sent upstream and not back yet (kept by the keyed hash of their `state`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await createTables(db, {
    oauth_upstream_providers: {
      ...ID_AND_WORKSPACE,
      name: 'varchar(100) not null',
      issuer: 'text not null',
      client_id: 'varchar(255) not null',
      client_secret_ciphertext: 'text not null',
      scopes: 'text not null',
      claim_mapping: 'text not null',
      ...CREATED_AND_UPDATED,
      oauth_upstream_providers_workspace_name: 'unique (workspace_id, name)',
    },

    end_user_upstream_links: {
      provider_id: 'varchar(64) not null',
      subject: 'varchar(255) not null',
      user_id: 'varchar(64) not null',
      workspace_id: 'varchar(64) not null',
      created_at: 'bigint not null',
      end_user_upstream_links_pk: 'primary key (provider_id, subject)',
      end_user_upstream_links_user: 'index (user_id)',
    },

    oauth_federated_sign_ins: {
      state_hash: 'varchar(64) primary key',
      workspace_id: 'varchar(64) not null',
      provider_id: 'varchar(64) not null',
      binding_hash: 'varchar(64) not null',
      request: 'text not null',
      ...ONE_TIME_LIFE,
      oauth_federated_sign_ins_expiry: 'index (expires_at)',
    },
  });

  // Ids sort by creation time in byte order only (see migration 0007).
  if (db.getExecutor().adapter instanceof PostgresAdapter)
    await sql`alter table oauth_upstream_providers alter column id type varchar(64) collate "C"`.execute(db);
}
