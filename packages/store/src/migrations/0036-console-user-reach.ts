import type { Kysely } from 'kysely';
import { addColumns } from './tables.js';

/**
 * The workspaces a console user reaches besides its home, as root keys have had since 0031: the
 * console names the one it acts in with the `Tessera-Workspace` header (see docs/workspaces.md).
 * Empty for every user made before.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await addColumns(db, 'console_users', { other_workspace_ids: "text default '[]' not null" });
}
