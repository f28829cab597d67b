import type { Kysely } from 'kysely';

/**
 * The workspaces a root key reaches besides its own: a request names one of them with the
 * `Tessera-Workspace` header (see docs/workspaces.md). Empty for every key made before.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('root_keys')
    .addColumn('other_workspace_ids', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
}
