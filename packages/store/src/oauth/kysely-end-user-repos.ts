import type { EndUserPatch, EndUserRecord, EndUserRepos, Page } from '@tessera/core';
import { sql } from 'kysely';
import { insertIfAbsent, raiseColumn, rowWhere } from '../rows.js';
import { endUserTable } from './oauth-rows.js';
import type { OAuthDatabase } from './oauth-schema.js';
import { OAuthHandle } from './oauth-handle.js';

/** A workspace's end users over Kysely; an email is unique within its workspace (a constraint). */
export class KyselyEndUserRepos extends OAuthHandle implements EndUserRepos {
  insertEndUser(u: EndUserRecord): Promise<boolean> {
    return insertIfAbsent(this.q, 'end_users', endUserTable.toRow(u) as OAuthDatabase['end_users'], ['workspace_id', 'email']);
  }

  getEndUser(id: string): Promise<EndUserRecord | undefined> {
    return endUserTable.findBy(this.q, 'id', id);
  }

  findEndUserByEmail(workspaceId: string, email: string): Promise<EndUserRecord | undefined> {
    return rowWhere(this.q, 'end_users', { workspace_id: workspaceId, email }, endUserTable.fromRow);
  }

  async listEndUsers(q: { workspaceId: string } & Page): Promise<EndUserRecord[]> {
    let query = this.q.selectFrom('end_users').selectAll().where('workspace_id', '=', q.workspaceId);
    if (q.after !== undefined) query = query.where('id', '>', q.after);
    return (await query.orderBy('id').limit(q.limit).execute()).map(endUserTable.fromRow);
  }

  async updateEndUser(id: string, patch: EndUserPatch): Promise<void> {
    const row = endUserTable.toRow(patch);
    if (Object.keys(row).length === 0) return;
    await this.q.updateTable('end_users').set(row).where('id', '=', id).execute();
  }

  spendEndUserTotpStep(id: string, step: number, at: number): Promise<boolean> {
    return raiseColumn(this.q, 'end_users', { id }, 'totp_last_step', step, { updated_at: at });
  }

  async countCodeGuess(id: string, at: number, windowMs: number): Promise<number> {
    // Both dialects read the row as it was in every SET expression, so the two CASEs agree.
    const fresh = sql<boolean>`code_guesses_since is null or code_guesses_since <= ${at - windowMs}`;
    const row = await this.q
      .updateTable('end_users')
      .set({
        code_guesses: sql<number>`case when ${fresh} then 1 else code_guesses + 1 end`,
        code_guesses_since: sql<number>`case when ${fresh} then ${at} else code_guesses_since end`,
      })
      .where('id', '=', id)
      .returning('code_guesses')
      .executeTakeFirst();
    return row?.code_guesses ?? 0;
  }

  async clearCodeGuesses(id: string): Promise<void> {
    await this.q.updateTable('end_users').set({ code_guesses: null, code_guesses_since: null }).where('id', '=', id).execute();
  }

  async deleteEndUser(id: string): Promise<boolean> {
    await this.q.deleteFrom('oauth_consents').where('user_id', '=', id).execute();
    await this.q.deleteFrom('end_user_passkeys').where('user_id', '=', id).execute();
    const r = await this.q.deleteFrom('end_users').where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) === 1;
  }
}
