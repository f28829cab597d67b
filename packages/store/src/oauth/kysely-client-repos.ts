import type { ClientSecretRecord, OAuthClientRecord, OAuthClientRepos, Page } from '@tessera/core';
import { sql } from 'kysely';
import { clientTable, clientSecretTable } from './oauth-rows.js';
import { OAuthHandle } from './oauth-handle.js';

/** OAuth clients, their secrets and the audiences they claim, over Kysely. */
export class KyselyOAuthClientRepos extends OAuthHandle implements OAuthClientRepos {
  async insertClient(c: OAuthClientRecord): Promise<void> {
    await clientTable.insert(this.q, c);
  }

  async getClient(id: string): Promise<OAuthClientRecord | undefined> {
    return clientTable.findBy(this.q, 'id', id);
  }

  async listClients(q: { workspaceId: string } & Page): Promise<OAuthClientRecord[]> {
    let query = this.q.selectFrom('oauth_clients').selectAll().where('workspace_id', '=', q.workspaceId).where('deleted_at', 'is', null);
    if (q.after !== undefined) query = query.where('id', '>', q.after);
    return (await query.orderBy('id').limit(q.limit).execute()).map(clientTable.fromRow);
  }

  /** A LIKE on the JSON list narrows the rows (an origin holds no quote); the list itself decides. */
  async webOriginRegistered(origin: string): Promise<boolean> {
    const pattern = `%${JSON.stringify(origin).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const rows = await this.q
      .selectFrom('oauth_clients')
      .select('web_origins')
      .where('deleted_at', 'is', null)
      .where(sql<boolean>`web_origins like ${pattern} escape '\\'`)
      .limit(20)
      .execute();
    return rows.some((r) => (JSON.parse(r.web_origins) as string[]).includes(origin));
  }

  async listClientsDueForSecretRotation(now: number, limit: number): Promise<OAuthClientRecord[]> {
    const rows = await this.q
      .selectFrom('oauth_clients')
      .selectAll()
      .where('secret_rotation_due_at', '<=', now)
      .where('secret_rotation_notified_at', 'is', null)
      .where('deleted_at', 'is', null)
      .orderBy('secret_rotation_due_at')
      .limit(limit)
      .execute();
    return rows.map(clientTable.fromRow);
  }

  async markSecretRotationNotified(id: string, dueAt: number, now: number): Promise<boolean> {
    const r = await this.q
      .updateTable('oauth_clients')
      .set({ secret_rotation_notified_at: now })
      .where('id', '=', id)
      .where('secret_rotation_due_at', '=', dueAt)
      .where('secret_rotation_notified_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async updateClient(id: string, patch: Partial<OAuthClientRecord>): Promise<void> {
    const row = clientTable.toRow(patch);
    if (Object.keys(row).length === 0) return;
    await this.q.updateTable('oauth_clients').set(row).where('id', '=', id).execute();
  }

  /**
   * The audience is the table's primary key, so two workspaces claiming one at the same time cannot
   * both win: the insert that loses does nothing, and the read after it sees the winner.
   */
  async claimAudiences(workspaceId: string, audiences: readonly string[], now: number): Promise<string | undefined> {
    for (const audience of audiences) {
      const owner = await this.audienceOwner(audience);
      if (owner !== undefined && owner !== workspaceId) return audience;
    }
    for (const audience of audiences) {
      await this.q
        .insertInto('oauth_audiences')
        .values({ audience, workspace_id: workspaceId, created_at: now })
        .onConflict((oc) => oc.column('audience').doNothing())
        .execute();
      if ((await this.audienceOwner(audience)) !== workspaceId) return audience;
    }
    return undefined;
  }

  async releaseAudiences(workspaceId: string, audiences: readonly string[]): Promise<void> {
    if (audiences.length === 0) return;
    const rows = await this.q
      .selectFrom('oauth_clients')
      .select('audience')
      .where('workspace_id', '=', workspaceId)
      .where('deleted_at', 'is', null)
      .execute();
    const named = new Set(rows.flatMap((r) => JSON.parse(r.audience) as string[]));
    const unused = audiences.filter((a) => !named.has(a));
    if (unused.length === 0) return;
    await this.q.deleteFrom('oauth_audiences').where('workspace_id', '=', workspaceId).where('audience', 'in', unused).execute();
  }

  private async audienceOwner(audience: string): Promise<string | undefined> {
    const row = await this.q.selectFrom('oauth_audiences').select('workspace_id').where('audience', '=', audience).executeTakeFirst();
    return row?.workspace_id;
  }

  async insertClientSecret(s: ClientSecretRecord): Promise<void> {
    await clientSecretTable.insert(this.q, s);
  }

  async listLiveClientSecrets(clientId: string, now: number): Promise<ClientSecretRecord[]> {
    const rows = await this.q
      .selectFrom('oauth_client_secrets')
      .selectAll()
      .where('client_id', '=', clientId)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .orderBy('id')
      .execute();
    return rows.map(clientSecretTable.fromRow);
  }

  async expireClientSecret(id: string, expiresAt: number): Promise<void> {
    await this.q.updateTable('oauth_client_secrets').set({ expires_at: expiresAt }).where('id', '=', id).execute();
  }
}
