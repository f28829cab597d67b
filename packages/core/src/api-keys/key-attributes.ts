import { TesseraError } from '../errors.js';
import { newId } from '../ids.js';
import type { Keyring } from '../custody/envelope-keyring.js';
import type { CreditsState, KeyRecord, KeyspaceRecord, RatelimitConfig } from '../store/records.js';
import { keyHint } from '@tessera/api';
import { generateKey } from './key-format.js';

/** What a caller may set on a key, at creation or in an update; what it leaves out is kept. */
export interface KeyAttributes {
  ownerId?: string | null | undefined;
  name?: string | null | undefined;
  scopes?: string[] | undefined;
  meta?: Record<string, unknown> | null | undefined;
  environment?: string | null | undefined;
  expiresAt?: number | null | undefined;
  ipAllowlist?: string[] | undefined;
  ratelimits?: RatelimitConfig[] | undefined;
  credits?: { remaining: number; refill?: { amount: number; intervalSeconds: number } | null | undefined } | null | undefined;
  enabled?: boolean | undefined;
}

export interface CreateKeyInput extends KeyAttributes {
  keyspaceId: string;
}

/** How deep `meta` may nest; far deeper JSON would overflow the stack when it is serialised. */
export const MAX_META_DEPTH = 32;

/** Nesting depth of a JSON value, found without recursion so no input can overflow the stack. */
function jsonDepth(value: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > max) max = depth;
    if (max > MAX_META_DEPTH) return max;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return max;
}

/**
 * Turns caller attributes into record fields, keeping what the caller did not mention (`creating`:
 * for a new key, not an update). Throws VALIDATION_FAILED for what no key may hold.
 */
export function keyFields(input: KeyAttributes, o: { creating: boolean }, now: number): Partial<KeyRecord> {
  const out: Partial<KeyRecord> = {};
  if (input.ownerId !== undefined) out.ownerId = input.ownerId;
  if (input.name !== undefined) out.name = input.name;
  if (input.scopes !== undefined) out.scopes = [...new Set(input.scopes)];
  if (input.meta !== undefined) {
    if (input.meta !== null && jsonDepth(input.meta) > MAX_META_DEPTH) {
      throw new TesseraError('VALIDATION_FAILED', `meta is nested more than ${MAX_META_DEPTH} levels deep`);
    }
    out.meta = input.meta;
  }
  if (input.environment !== undefined) out.environment = input.environment;
  if (input.expiresAt !== undefined) {
    if (input.expiresAt !== null && o.creating && input.expiresAt <= now) {
      throw new TesseraError('VALIDATION_FAILED', 'expiresAt must be in the future');
    }
    out.expiresAt = input.expiresAt;
  }
  if (input.ipAllowlist !== undefined) out.ipAllowlist = input.ipAllowlist;
  if (input.ratelimits !== undefined) {
    const names = new Set(input.ratelimits.map((r) => r.name));
    if (names.size !== input.ratelimits.length) throw new TesseraError('VALIDATION_FAILED', 'rate limit names must be unique');
    out.ratelimits = input.ratelimits;
  }
  if (input.credits !== undefined) {
    const c = input.credits;
    out.credits =
      c === null
        ? null
        : ({
            remaining: c.remaining,
            refill: c.refill ?? null,
            refilledAt: c.refill ? now : null,
          } satisfies CreditsState);
  }
  if (input.enabled !== undefined) out.enabled = input.enabled;
  return out;
}

/** A new key of keyspace `ks`: the plain key (shown once) and its record, which keeps only its hash. */
export function newKey(ks: KeyspaceRecord, input: KeyAttributes, keyring: Keyring, now: number): { record: KeyRecord; key: string } {
  const key = generateKey(ks.prefix);
  const fields = keyFields(input, { creating: true }, now);
  const record: KeyRecord = {
    id: newId('key', now),
    workspaceId: ks.workspaceId,
    keyspaceId: ks.id,
    hash: keyring.hash('api_key', key),
    pepperVersion: keyring.currentPepperVersion,
    start: keyHint(key),
    ownerId: null,
    name: null,
    scopes: [],
    meta: null,
    environment: null,
    createdAt: now,
    updatedAt: now,
    expiresAt: null,
    enabled: true,
    revokedAt: null,
    revokeReason: null,
    deletedAt: null,
    ipAllowlist: [],
    ratelimits: [],
    credits: null,
    lastUsedAt: null,
    usageCount: 0,
    version: 1,
    rolledToId: null,
    ...fields,
  };
  return { record, key };
}
