import { TesseraError } from '../errors.js';
import type { Repos } from '../store/store.js';
import type { ConsoleUserRecord } from './console-records.js';

/**
 * The workspaces a console user reaches: its home, and the others an owner gave it. The console
 * names the one it acts in with `Tessera-Workspace`, as a root key with `otherWorkspaceIds` does.
 */

/** Every workspace the user reaches: the one it acts in (its home, unless named otherwise) first. */
export function consoleReachOf(user: Pick<ConsoleUserRecord, 'workspaceId' | 'otherWorkspaceIds'>): string[] {
  return [user.workspaceId, ...user.otherWorkspaceIds];
}

/**
 * The user as it acts in `workspaceId`: itself in its home, a copy homed there when it is one of
 * its others (its reach unchanged), or undefined when it does not reach that workspace.
 */
export function consoleUserIn(user: ConsoleUserRecord, workspaceId: string): ConsoleUserRecord | undefined {
  if (workspaceId === user.workspaceId) return user;
  if (!user.otherWorkspaceIds.includes(workspaceId)) return undefined;
  return { ...user, workspaceId, otherWorkspaceIds: consoleReachOf(user).filter((w) => w !== workspaceId) };
}

/**
 * The others a user reaches once `wanted` is asked for by someone reaching `granterReach`: no one
 * grants a workspace beyond their own reach (FORBIDDEN), every one named must exist (NOT_FOUND),
 * and those of `current` the granter does not reach stay as they were (nobody takes away what
 * they cannot see). Never the user's home; no repeats.
 */
export async function grantedReach(
  tx: Pick<Repos, 'workspaces'>,
  home: string,
  current: readonly string[],
  wanted: readonly string[],
  granterReach: readonly string[] | 'any',
): Promise<string[]> {
  const asked = [...new Set(wanted)].filter((w) => w !== home);
  const beyond = granterReach === 'any' ? [] : asked.filter((w) => !granterReach.includes(w));
  if (beyond.length > 0) throw new TesseraError('FORBIDDEN', `Cannot grant a workspace you do not reach: ${beyond.join(', ')}.`);
  for (const id of asked) {
    if ((await tx.workspaces.getWorkspace(id)) === undefined) throw new TesseraError('NOT_FOUND', `No such workspace: ${id}.`);
  }
  const kept = granterReach === 'any' ? [] : current.filter((w) => !granterReach.includes(w) && w !== home);
  return [...new Set([...kept, ...asked])];
}
