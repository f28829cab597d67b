import { PERMISSIONS, type Permission } from '@tessera/api';
import { scopeGrants } from '../scopes/scope-expression.js';
import { isSecretGrant, NAME_SCOPED_PERMISSIONS } from '../vault/secret-access.js';

/** `*`, a listed permission, or a resource wildcard such as `keys:*`. */
export function isPermissionGrant(value: string): boolean {
  if (value === '*') return true;
  if ((PERMISSIONS as readonly string[]).includes(value)) return true;
  if (isSecretGrant(value)) return true;
  return value.endsWith(':*') && PERMISSIONS.some((p) => p.startsWith(value.slice(0, -1)));
}

/** The grants in `wanted` that `held` does not cover (`*`, `keys:*` and the like cover what they name). */
export function uncoveredGrants(held: readonly string[], wanted: readonly string[]): string[] {
  return wanted.filter((p) => !held.some((g) => scopeGrants(g, p)));
}

export function hasPermission(granted: readonly string[], needed: Permission): boolean {
  if (granted.some((g) => scopeGrants(g, needed))) return true;
  // `secrets:read:payments/*` lets a key through to the secrets routes; the vault checks the name.
  return NAME_SCOPED_PERMISSIONS.includes(needed) && granted.some((g) => g.startsWith(`${needed}:`) && isSecretGrant(g));
}

/**
 * What each console role holds, in the same permission model as root keys: an owner holds
 * everything (and manages console users), an admin everything but root keys and users, a viewer
 * reads keys, keyspaces and the audit log (never a secret's value).
 */
export const ROLE_PERMISSIONS = {
  owner: ['*'],
  admin: [
    'keys:*',
    'keyspaces:*',
    'audit:read',
    'audit:checkpoint',
    'oauth:manage',
    'secrets:read',
    'secrets:write',
    'analytics:read',
    'anomalies:*',
    'webhooks:manage',
    'databases:manage',
    'databases:credentials',
    'end_users:read',
    'end_users:manage',
    'workspaces:read',
    'portal:manage',
  ],
  viewer: ['keys:read', 'keyspaces:read', 'audit:read', 'analytics:read', 'anomalies:read', 'end_users:read', 'workspaces:read'],
} as const satisfies Record<string, readonly string[]>;
