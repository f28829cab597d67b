import type { Kysely } from 'kysely';
import type { OAuthDatabase } from './oauth-schema.js';

/**
 * Claims audiences for a workspace. The audience is the table's primary key, so two workspaces
 * claiming one at the same time cannot both win: the insert that loses does nothing, and the
 * read after it sees the winner.
 */
export async function claimAudiences(
  q: Kysely<OAuthDatabase>,
  workspaceId: string,
  audiences: readonly string[],
  now: number,
): Promise<string | undefined> {
  for (const audience of audiences) {
    const owner = await q.selectFrom('oauth_audiences').select('workspace_id').where('audience', '=', audience).executeTakeFirst();
    if (owner !== undefined && owner.workspace_id !== workspaceId) return audience;
  }
  for (const audience of audiences) {
    await q
      .insertInto('oauth_audiences')
      .values({ audience, workspace_id: workspaceId, created_at: now })
      .onConflict((oc) => oc.column('audience').doNothing())
      .execute();
    const owner = await q.selectFrom('oauth_audiences').select('workspace_id').where('audience', '=', audience).executeTakeFirst();
    if (owner?.workspace_id !== workspaceId) return audience;
  }
  return undefined;
}

/** Releases the workspace's audiences among these that no live client of the workspace names. */
export async function releaseAudiences(q: Kysely<OAuthDatabase>, workspaceId: string, audiences: readonly string[]): Promise<void> {
  if (audiences.length === 0) return;
  const rows = await q
    .selectFrom('oauth_clients')
    .select('audience')
    .where('workspace_id', '=', workspaceId)
    .where('deleted_at', 'is', null)
    .execute();
  const named = new Set(rows.flatMap((r) => JSON.parse(r.audience) as string[]));
  const unused = audiences.filter((a) => !named.has(a));
  if (unused.length === 0) return;
  await q.deleteFrom('oauth_audiences').where('workspace_id', '=', workspaceId).where('audience', 'in', unused).execute();
}
