import type { Kysely } from 'kysely';
import { createTable } from './tables.js';

interface Db {
  oauth_clients: { workspace_id: string; audience: string; created_at: number; deleted_at: number | null };
  oauth_audiences: { audience: string; workspace_id: string; created_at: number };
}

/**
 * An audience (a resource server's identifier) belongs to one workspace at most, so an
 * administrator of one workspace cannot have tokens minted for another's API. The audiences live
 * clients name today are claimed, oldest client first.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await createTable(db, 'oauth_audiences', {
    audience: 'varchar(512) primary key',
    workspace_id: 'varchar(64) not null',
    created_at: 'bigint not null',
  });
  const q = db as unknown as Kysely<Db>;
  const clients = await q
    .selectFrom('oauth_clients')
    .select(['workspace_id', 'audience', 'created_at'])
    .where('deleted_at', 'is', null)
    .orderBy('created_at')
    .execute();
  for (const c of clients) {
    for (const audience of JSON.parse(c.audience) as string[]) {
      await q
        .insertInto('oauth_audiences')
        .values({ audience, workspace_id: c.workspace_id, created_at: Number(c.created_at) })
        .onConflict((oc) => oc.column('audience').doNothing())
        .execute();
    }
  }
}
