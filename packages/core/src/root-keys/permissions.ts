import { scopeGrants } from '../scopes/scope-expression.js';

/** Every permission a root key (or console user) can hold. `*` holds them all. */
export const PERMISSIONS = [
  'keys:create',
  'keys:read',
  'keys:update',
  'keys:revoke',
  'keys:delete',
  'keys:verify',
  'keyspaces:read',
  'keyspaces:manage',
  'root_keys:manage',
  'audit:read',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

/** `*`, a listed permission, or a resource wildcard such as `keys:*`. */
export function isPermissionGrant(value: string): boolean {
  if (value === '*') return true;
  if ((PERMISSIONS as readonly string[]).includes(value)) return true;
  return value.endsWith(':*') && PERMISSIONS.some((p) => p.startsWith(value.slice(0, -1)));
}

export function hasPermission(granted: readonly string[], needed: Permission): boolean {
  return granted.some((g) => scopeGrants(g, needed));
}
