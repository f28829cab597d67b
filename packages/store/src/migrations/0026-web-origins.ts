import type { Kysely } from 'kysely';
import { addColumns } from './tables.js';

/** The browser origins whose pages may call a client's token, revocation and userinfo endpoints (CORS). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await addColumns(db, 'oauth_clients', { web_origins: "text default '[]' not null" });
}
