import type { Kysely } from 'kysely';
import { createTable } from './tables.js';

/**
 * Console sign-in with the deployment's upstream OpenID Provider: which console user an upstream
 * account (its `iss` and `sub`) signs in as. The pending sign-ins share `oauth_federated_sign_ins`
 * (migration 0032), hashed under the console's own domains.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await createTable(db, 'console_sso_links', {
    issuer: 'varchar(512) not null',
    subject: 'varchar(255) not null',
    user_id: 'varchar(64) not null',
    created_at: 'bigint not null',
    console_sso_links_pk: 'primary key (issuer, subject)',
    console_sso_links_user: 'index (user_id)',
  });
}
