import type { Kysely } from 'kysely';
import { addColumns, createTable } from './tables.js';

/**
 * End users' second factor and the hosted pages' branding: an end user's TOTP secret (sealed, as
 * the console's are), the one offered while they enrol, and the last time step accepted; and per
 * workspace the name, logo and colour its sign-in, consent, device and account pages show.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await addColumns(db, 'end_users', {
    totp_secret: 'text',
    totp_pending: 'text',
    totp_last_step: 'bigint',
  });
  await createTable(db, 'workspace_branding', {
    workspace_id: 'varchar(64) primary key',
    name: 'varchar(100)',
    logo_url: 'varchar(2048)',
    color: 'varchar(7)',
    updated_at: 'bigint not null',
  });
}
