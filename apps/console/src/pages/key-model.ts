/** What the management API says about keyspaces and keys, as the console's key pages use it. */

export interface Keyspace {
  id: string;
  name: string;
  prefix: string;
}

export interface Key {
  keyId: string;
  keyspaceId: string;
  start: string;
  ownerId: string | null;
  name: string | null;
  scopes: string[];
  meta: Record<string, unknown> | null;
  environment: string | null;
  enabled: boolean;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  revokeReason: string | null;
  ipAllowlist: string[];
  ratelimits: { name: string; limit: number; windowMs: number }[];
  credits: { remaining: number; refill: { amount: number; intervalSeconds: number } | null } | null;
  lastUsedAt: string | null;
  usageCount: number;
  rolledToKeyId: string | null;
}

/** A plain key to show once (just created or rolled). */
export interface ShownKey {
  key: string;
  title: string;
}
