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
  'audit:checkpoint',
  'oauth:manage',
  'keys:recover',
  'secrets:read',
  'secrets:write',
  'users:manage',
  'analytics:read',
  'anomalies:read',
  'anomalies:manage',
  'webhooks:manage',
  'keys:report_leaked',
  'databases:manage',
  'databases:credentials',
] as const;

export type Permission = (typeof PERMISSIONS)[number];
