import type { BrandingRepos, WorkspaceBranding } from '@tessera/core';
import { OAuthHandle } from './oauth-handle.js';

/** Workspaces' brands over Kysely: one row a workspace. */
export class KyselyBrandingRepos extends OAuthHandle implements BrandingRepos {
  async getBranding(workspaceId: string): Promise<WorkspaceBranding | undefined> {
    const row = await this.q.selectFrom('workspace_branding').selectAll().where('workspace_id', '=', workspaceId).executeTakeFirst();
    return (
      row && { workspaceId: row.workspace_id, name: row.name, logoUrl: row.logo_url, color: row.color, updatedAt: Number(row.updated_at) }
    );
  }

  async saveBranding(b: WorkspaceBranding): Promise<void> {
    const values = { name: b.name, logo_url: b.logoUrl, color: b.color, updated_at: b.updatedAt };
    await this.q
      .insertInto('workspace_branding')
      .values({ workspace_id: b.workspaceId, ...values })
      .onConflict((oc) => oc.column('workspace_id').doUpdateSet(values))
      .execute();
  }
}
