import { TesseraError } from '@tessera/core';
import type { Services } from '../wiring/services.js';

/**
 * The workspace's actors by name: `user:usr_…` → the console user's email (of those who reach it), `root_key:rk_…` → the
 * root key's name. The audit log keeps ids (a name can change; the chain cannot); people read names.
 */
export async function actorNames(services: Services, workspaceId: string): Promise<Map<string, string>> {
  const { console } = services.store;
  const [users, visitors, rootKeys] = await Promise.all([
    console.listUsers(workspaceId),
    console.listUsersReaching(workspaceId),
    services.store.listRootKeys(workspaceId),
  ]);
  return new Map<string, string>([
    // Users homed elsewhere act here too when they reach the workspace.
    ...[...users, ...visitors].map((u): [string, string] => [`user:${u.id}`, u.email]),
    ...rootKeys.map((rk): [string, string] => [`root_key:${rk.id}`, rk.name]),
  ]);
}

/**
 * The actor an audit filter means: an actor as the log writes it (`user:usr_…`, `root_key:rk_…`,
 * `system`), a bare user or root key id, a console user's email, or a root key's name. Undefined
 * when no one goes by that name (the listing is then empty); a name several root keys share is
 * refused with their ids, so the filter never picks one silently.
 */
export function actorFilter(filter: string, names: ReadonlyMap<string, string>): string | undefined {
  if (/^(user:|root_key:|portal:)/.test(filter) || filter === 'system' || filter === 'anonymous') return filter;
  if (/^usr_[0-9A-Za-z]+$/.test(filter)) return `user:${filter}`;
  if (/^rk_[0-9A-Za-z]+$/.test(filter)) return `root_key:${filter}`;
  const wanted = filter.trim().toLowerCase();
  const matches = [...names].filter(([, name]) => name.toLowerCase() === wanted).map(([actor]) => actor);
  if (matches.length > 1)
    throw new TesseraError(
      'VALIDATION_FAILED',
      `${matches.length} root keys are named "${filter.trim()}"; filter by the id of one: ${matches.map((a) => a.slice('root_key:'.length)).join(', ')}.`,
    );
  return matches[0];
}
