import type { Kysely } from 'kysely';
import { addColumns } from './tables.js';

/**
 * The workspaces a root key reaches besides its own: a request names one of them with the
 * `Tessera-Workspace` header (see docs/workspaces.md). Empty for every key made before.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await addColumns(db, 'root_keys', { other_workspace_ids: "text default '[]' not null" });
}
