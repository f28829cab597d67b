/** The records the domain keeps. Times are epoch milliseconds; the HTTP layer shows RFC 3339. */

export interface RatelimitConfig {
  name: string;
  limit: number;
  windowMs: number;
  /** Whose counter: the key's own (default), or one shared by every key of the same owner. */
  identity?: 'key' | 'owner' | undefined;
}

export interface CreditsState {
  remaining: number;
  refill: { amount: number; intervalSeconds: number } | null;
  refilledAt: number | null;
}

export interface KeyRecord {
  id: string;
  workspaceId: string;
  keyspaceId: string;
  hash: string;
  pepperVersion: number;
  start: string;
  ownerId: string | null;
  name: string | null;
  scopes: string[];
  meta: Record<string, unknown> | null;
  environment: string | null;
  createdAt: number;
  updatedAt: number;
  expiresAt: number | null;
  enabled: boolean;
  revokedAt: number | null;
  revokeReason: string | null;
  deletedAt: number | null;
  ipAllowlist: string[];
  ratelimits: RatelimitConfig[];
  credits: CreditsState | null;
  lastUsedAt: number | null;
  usageCount: number;
  /** Bumped when a management call sets the credits; usage writes that raced with one are dropped. */
  version: number;
  rolledToId: string | null;
}

export interface KeyspaceRecord {
  id: string;
  workspaceId: string;
  name: string;
  prefix: string;
  recoverable: boolean;
  createdAt: number;
}

export interface RootKeyRecord {
  id: string;
  workspaceId: string;
  name: string;
  hash: string;
  pepperVersion: number;
  start: string;
  permissions: string[];
  createdAt: number;
  revokedAt: number | null;
  lastUsedAt: number | null;
  /** After this time the root key is refused (null: never). */
  expiresAt: number | null;
  /** CIDRs the root key may be used from (empty: anywhere). */
  ipAllowlist: string[];
  /** The keyspaces it may see and act on (null: the whole workspace). */
  keyspaceIds: string[] | null;
  /** The root key this one was rolled to, if it was. */
  rolledToId: string | null;
  /** The workspaces it reaches besides its own (a request names one with `Tessera-Workspace`). */
  otherWorkspaceIds: string[];
}

export interface AuditRecord {
  seq: number;
  id: string;
  ts: number;
  workspaceId: string | null;
  actor: string;
  action: string;
  target: string | null;
  ip: string | null;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

/** What the usage batcher writes for one key. */
export interface UsageUpdate {
  keyId: string;
  lastUsedAt: number;
  count: number;
  /** Credits state to persist, written only if the key's version is still `version`. */
  credits?: { remaining: number; refilledAt: number | null; version: number };
}
