import type { KeyRecord } from '@tessera/core';
import type { Selectable } from 'kysely';
import { nullableNumber } from '../rows.js';
import type { Database } from '../schema.js';

/** Mapping between key records and rows of `keys`; the only place that knows both shapes. */

type KeyRow = Selectable<Database['keys']>;

export function keyFromRow(r: KeyRow): KeyRecord {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    keyspaceId: r.keyspace_id,
    hash: r.hash,
    pepperVersion: r.pepper_version,
    start: r.start,
    ownerId: r.owner_id,
    name: r.name,
    scopes: JSON.parse(r.scopes) as string[],
    meta: r.meta === null ? null : (JSON.parse(r.meta) as Record<string, unknown>),
    environment: r.environment,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    expiresAt: nullableNumber(r.expires_at),
    enabled: r.enabled === 1,
    revokedAt: nullableNumber(r.revoked_at),
    revokeReason: r.revoke_reason,
    deletedAt: nullableNumber(r.deleted_at),
    ipAllowlist: JSON.parse(r.ip_allowlist) as string[],
    ratelimits: JSON.parse(r.ratelimits) as KeyRecord['ratelimits'],
    credits:
      r.credits_remaining === null
        ? null
        : {
            remaining: Number(r.credits_remaining),
            refill:
              r.credits_refill_amount === null || r.credits_refill_interval === null
                ? null
                : { amount: Number(r.credits_refill_amount), intervalSeconds: Number(r.credits_refill_interval) },
            refilledAt: nullableNumber(r.credits_refilled_at),
          },
    lastUsedAt: nullableNumber(r.last_used_at),
    usageCount: Number(r.usage_count),
    version: r.version,
    rolledToId: r.rolled_to_id,
  };
}

/** The columns for the given record fields; fields not given are left out. */
export function keyToRow(k: Partial<KeyRecord>): Partial<KeyRow> {
  const row: Partial<KeyRow> = {};
  const set = <C extends keyof KeyRow>(col: C, value: KeyRow[C] | undefined) => {
    if (value !== undefined) row[col] = value;
  };
  set('id', k.id);
  set('workspace_id', k.workspaceId);
  set('keyspace_id', k.keyspaceId);
  set('hash', k.hash);
  set('pepper_version', k.pepperVersion);
  set('start', k.start);
  set('owner_id', k.ownerId);
  set('name', k.name);
  set('scopes', k.scopes && JSON.stringify(k.scopes));
  if (k.meta !== undefined) row.meta = k.meta === null ? null : JSON.stringify(k.meta);
  set('environment', k.environment);
  set('created_at', k.createdAt);
  set('updated_at', k.updatedAt);
  set('expires_at', k.expiresAt);
  if (k.enabled !== undefined) row.enabled = k.enabled ? 1 : 0;
  set('revoked_at', k.revokedAt);
  set('revoke_reason', k.revokeReason);
  set('deleted_at', k.deletedAt);
  set('ip_allowlist', k.ipAllowlist && JSON.stringify(k.ipAllowlist));
  set('ratelimits', k.ratelimits && JSON.stringify(k.ratelimits));
  if (k.credits !== undefined) {
    row.credits_remaining = k.credits?.remaining ?? null;
    row.credits_refill_amount = k.credits?.refill?.amount ?? null;
    row.credits_refill_interval = k.credits?.refill?.intervalSeconds ?? null;
    row.credits_refilled_at = k.credits?.refilledAt ?? null;
  }
  set('last_used_at', k.lastUsedAt);
  set('usage_count', k.usageCount);
  set('version', k.version);
  set('rolled_to_id', k.rolledToId);
  return row;
}
