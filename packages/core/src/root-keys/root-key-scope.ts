import { IpAllowlist, parseCidr } from '../net/ip-allowlist.js';
import type { RootKeyRecord } from '../store/records.js';
import { TesseraError } from '../errors.js';
import { uncoveredGrants } from './permissions.js';

/**
 * What a root key may reach beyond its permissions: the keyspaces it is limited to, the networks
 * it may be used from, and the time it expires. A root key only ever hands out (or takes away)
 * a key whose reach is within its own.
 */

/** Whether a root key may see and act on a keyspace. */
export function keyspaceAllowed(rk: Pick<RootKeyRecord, 'keyspaceIds'>, keyspaceId: string): boolean {
  return rk.keyspaceIds === null || rk.keyspaceIds.includes(keyspaceId);
}

/** Whether every keyspace `target` reaches is one `holder` reaches. */
export function keyspacesWithin(holder: Pick<RootKeyRecord, 'keyspaceIds'>, target: Pick<RootKeyRecord, 'keyspaceIds'>): boolean {
  if (holder.keyspaceIds === null) return true;
  return target.keyspaceIds !== null && target.keyspaceIds.every((k) => holder.keyspaceIds!.includes(k));
}

/** Why `holder` does not cover `target` (permissions, keyspaces, lifetime), or an empty list. */
export function uncoveredReach(
  holder: Pick<RootKeyRecord, 'permissions' | 'keyspaceIds' | 'expiresAt' | 'workspaceId' | 'otherWorkspaceIds'>,
  target: Pick<RootKeyRecord, 'permissions' | 'keyspaceIds' | 'expiresAt' | 'workspaceId' | 'otherWorkspaceIds'>,
): string[] {
  const missing = uncoveredGrants(holder.permissions, target.permissions);
  const reached = workspacesOf(holder);
  missing.push(
    ...workspacesOf(target)
      .filter((w) => !reached.includes(w))
      .map((w) => `workspace ${w}`),
  );
  if (holder.keyspaceIds !== null) {
    if (target.keyspaceIds === null) missing.push('every keyspace');
    else missing.push(...target.keyspaceIds.filter((k) => !holder.keyspaceIds!.includes(k)).map((k) => `keyspace ${k}`));
  }
  if (holder.expiresAt !== null && (target.expiresAt === null || target.expiresAt > holder.expiresAt))
    missing.push('a lifetime beyond its own expiry');
  return missing;
}

/** Every workspace a root key reaches: its own first, then the others it was given. */
export function workspacesOf(rk: Pick<RootKeyRecord, 'workspaceId' | 'otherWorkspaceIds'>): string[] {
  return [rk.workspaceId, ...rk.otherWorkspaceIds];
}

/** Validates an allowlist given by a caller: every entry a CIDR or an address. */
export function checkIpAllowlist(cidrs: readonly string[]): string[] {
  for (const c of cidrs) if (parseCidr(c) === undefined) throw new TesseraError('VALIDATION_FAILED', `invalid CIDR "${c}"`);
  return [...new Set(cidrs)];
}

const compiled = new WeakMap<RootKeyRecord, IpAllowlist>();

/** Whether the root key may be used from `ip` (any address when its allowlist is empty). */
export function ipAllowed(rk: RootKeyRecord, ip: string): boolean {
  if (rk.ipAllowlist.length === 0) return true;
  let list = compiled.get(rk);
  if (list === undefined) compiled.set(rk, (list = new IpAllowlist(rk.ipAllowlist)));
  return list.allows(ip);
}

/**
 * The root key as it acts in `workspaceId`: itself in its own workspace, a copy homed there when it
 * is one of its others (its reach unchanged), or undefined when it does not reach that workspace.
 */
export function inWorkspace(rk: RootKeyRecord, workspaceId: string): RootKeyRecord | undefined {
  if (workspaceId === rk.workspaceId) return rk;
  if (!rk.otherWorkspaceIds.includes(workspaceId)) return undefined;
  return { ...rk, workspaceId, otherWorkspaceIds: workspacesOf(rk).filter((w) => w !== workspaceId) };
}
