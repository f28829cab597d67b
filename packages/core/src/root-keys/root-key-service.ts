import { isWellFormedKey, keyHint, RANDOM_LENGTH, CHECKSUM_LENGTH } from '@tessera/api';
import { generateKey } from '../api-keys/key-format.js';
import { RecordCache, isNegative } from '../api-keys/record-cache.js';
import type { UsageBatcher } from '../api-keys/usage-batcher.js';
import { appendAudit, type Actor } from '../audit/audit-chain.js';
import type { Clock } from '../clock.js';
import { TesseraError } from '../errors.js';
import { newId } from '../ids.js';
import type { InvalidationBus } from '../invalidation-bus.js';
import type { Keyring } from '../custody/envelope-keyring.js';
import type { RootKeyRecord } from '../store/records.js';
import type { Repos, Store } from '../store/store.js';
import { isPermissionGrant } from './permissions.js';
import { checkIpAllowlist, ipAllowed, keyspacesWithin, uncoveredReach } from './root-key-scope.js';

export const ROOT_KEY_PREFIX = 'tessera_root';
const ROOT_KEY_PREFIX_ = `${ROOT_KEY_PREFIX}_`;
/** A root key's length: its prefix, `_`, then the random part and the checksum. */
const ROOT_KEY_LENGTH = ROOT_KEY_PREFIX_.length + RANDOM_LENGTH + CHECKSUM_LENGTH;
export const DEFAULT_WORKSPACE_ID = 'ws_default';

/** Why a bearer token did not authenticate: kept for the audit log, never told to the caller. */
export type RootKeyRefusal = 'malformed' | 'unknown' | 'revoked' | 'expired' | 'ip_not_allowed';
/** A refusal, or an attempt refused unread because its source network is throttled. */
export type AuthFailureReason = RootKeyRefusal | 'throttled';
export type RootKeyOutcome =
  | { ok: true; record: RootKeyRecord }
  | { ok: false; reason: RootKeyRefusal; /** The key the token named, when it names one. */ record?: RootKeyRecord };

export interface RootKeyInput {
  name: string;
  permissions: string[];
  workspaceId?: string | undefined;
  /** Epoch milliseconds; null or absent: never (a key that expires itself can only make keys that expire no later). */
  expiresAt?: number | null | undefined;
  ipAllowlist?: string[] | undefined;
  /** The keyspaces the key is limited to; absent or null: the whole workspace. */
  keyspaceIds?: string[] | null | undefined;
  /** The workspaces it reaches besides its own; absent: its own only. */
  otherWorkspaceIds?: string[] | undefined;
}

/** A root key in the cache, with the flag the cache sets on a hit. */
interface CachedRootKey {
  readonly id: string;
  readonly record: RootKeyRecord;
  hot: boolean;
}

/** Root keys authenticate the management API. Cached like API keys, since every call checks one. */
export class RootKeyService {
  readonly cache = new RecordCache<CachedRootKey>({ maxEntries: 10_000, maxNegativeEntries: 10_000, negativeTtlMs: 30_000 });

  constructor(
    private readonly deps: {
      store: Store;
      keyring: Keyring;
      clock: Clock;
      bus: InvalidationBus;
      /** Where last-used times are batched; without it they are not kept. */
      usage?: Pick<UsageBatcher, 'recordRootKey'>;
      /** Told of a root key found under an older pepper version, with its hash under the current one (lazy re-hash). */
      onStaleHash?: ((record: RootKeyRecord, hash: string, pepperVersion: number) => void) | undefined;
    },
  ) {}

  /**
   * The root key behind a bearer token presented from `ip`, or why not (for the audit log only).
   * A cached key is answered at once, without a promise: every management call pays for this.
   */
  authenticate(token: string, ip: string): RootKeyOutcome | Promise<RootKeyOutcome> {
    if (typeof token !== 'string' || token.length !== ROOT_KEY_LENGTH) return { ok: false, reason: 'malformed' };
    const now = this.deps.clock.now();
    const digest = this.cache.digest(token);
    const hit = this.cache.get(digest, now);
    // Only well-formed root keys are cached (positively or negatively): a hit needs no shape check.
    if (hit !== undefined) return isNegative(hit) ? { ok: false, reason: 'unknown' } : this.check(hit.record, ip, now);
    if (!isWellFormedKey(token) || !token.startsWith(ROOT_KEY_PREFIX_)) return { ok: false, reason: 'malformed' };
    this.cache.misses++;
    return this.load(token, digest, ip, now);
  }

  private async load(token: string, digest: string, ip: string, now: number): Promise<RootKeyOutcome> {
    const generation = this.cache.generation;
    let record: RootKeyRecord | undefined;
    const hash = this.deps.keyring.hash('root_key', token);
    try {
      // Root keys made before a pepper rotation are found under their own pepper version.
      const versions = this.deps.keyring.pepperVersions;
      for (const version of versions) {
        record = await this.deps.store.findRootKeyByHash(this.deps.keyring.hash('root_key', token, version));
        if (record !== undefined) break;
      }
      // A lazy re-hash may have moved the key to the current version after it was looked up
      // there: a miss under every version looks once more, so a valid key is never refused (and
      // negatively cached) for racing its own re-hash. Unknown tokens pay it alike.
      if (record === undefined && versions.length > 1) record = await this.deps.store.findRootKeyByHash(hash);
    } catch {
      throw new TesseraError('STORE_UNAVAILABLE', 'The store is unavailable; try again shortly.');
    }
    if (generation === this.cache.generation) {
      // An unknown key is remembered under the hash it would be created with.
      if (record === undefined) this.cache.setNegative(digest, hash, now);
      else this.cache.set(digest, { id: record.id, record, hot: false });
    }
    const current = this.deps.keyring.currentPepperVersion;
    if (record !== undefined && record.pepperVersion !== current && this.deps.onStaleHash !== undefined) {
      this.deps.onStaleHash(record, this.deps.keyring.hash('root_key', token, current), current);
    }
    if (record === undefined) return { ok: false, reason: 'unknown' };
    return this.check(record, ip, now);
  }

  private check(record: RootKeyRecord, ip: string, now: number): RootKeyOutcome {
    if (record.revokedAt !== null) return { ok: false, reason: 'revoked', record };
    if (record.expiresAt !== null && record.expiresAt <= now) return { ok: false, reason: 'expired', record };
    if (!ipAllowed(record, ip)) return { ok: false, reason: 'ip_not_allowed', record };
    this.deps.usage?.recordRootKey(record.id, now);
    return { ok: true, record };
  }

  /**
   * Audits a sample of failed authentications from one source network: the first failure's
   * reason, how many there were so far in the window, the network. Never the token.
   */
  async auditFailure(
    ip: string,
    failure: { reason: AuthFailureReason; record?: RootKeyRecord | undefined },
    sample: { network: string; failures: number; windowSeconds: number },
  ): Promise<void> {
    // An unknown token names no workspace: the installation's first one sees it (as for console sign-ins).
    const actor: Actor = { id: 'anonymous', workspaceId: failure.record?.workspaceId ?? DEFAULT_WORKSPACE_ID, ip };
    await this.deps.store.transaction((tx) =>
      appendAudit(tx, this.deps.clock, actor, {
        action: 'root_key.auth_failed',
        target: failure.record?.id ?? null,
        details: { reason: failure.reason, ...sample },
      }),
    );
  }

  /** Creates the workspace and its first root key, with every permission. Used by `init`. */
  async bootstrap(): Promise<{ record: RootKeyRecord; key: string }> {
    const system: Actor = { id: 'system', workspaceId: DEFAULT_WORKSPACE_ID, ip: null };
    return this.deps.store.transaction(async (tx) => {
      if ((await tx.countRootKeys()) > 0) throw new TesseraError('CONFLICT', 'Tessera is already initialised.');
      const now = this.deps.clock.now();
      await tx.insertWorkspace({ id: DEFAULT_WORKSPACE_ID, name: 'default', createdAt: now });
      await appendAudit(tx, this.deps.clock, system, { action: 'workspace.created', target: DEFAULT_WORKSPACE_ID });
      return this.insert(tx, system, { name: 'initial root key', permissions: ['*'] }, DEFAULT_WORKSPACE_ID);
    });
  }

  async create(actor: Actor, creator: RootKeyRecord, input: RootKeyInput): Promise<{ record: RootKeyRecord; key: string }> {
    const workspaceId = input.workspaceId ?? creator.workspaceId;
    if (workspaceId !== creator.workspaceId)
      throw new TesseraError('FORBIDDEN', 'A root key can only create root keys in its own workspace.');
    return this.deps.store.transaction((tx) => this.createWithin(tx, actor, creator, input, workspaceId));
  }

  /**
   * Creates a root key in `workspaceId` inside the caller's transaction (a new workspace's first
   * key is made in the transaction that makes the workspace). The creator must reach it all.
   */
  async createWithin(
    tx: Repos,
    actor: Actor,
    creator: RootKeyRecord,
    input: RootKeyInput,
    workspaceId: string,
  ): Promise<{ record: RootKeyRecord; key: string }> {
    for (const p of input.permissions) {
      if (!isPermissionGrant(p)) throw new TesseraError('VALIDATION_FAILED', `unknown permission "${p}"`);
    }
    const expiresAt = input.expiresAt ?? null;
    if (expiresAt !== null && expiresAt <= this.deps.clock.now()) throw new TesseraError('VALIDATION_FAILED', 'expiresAt is in the past');
    const wanted = {
      workspaceId,
      permissions: input.permissions,
      keyspaceIds: input.keyspaceIds === undefined || input.keyspaceIds === null ? null : [...new Set(input.keyspaceIds)],
      expiresAt,
      ipAllowlist: checkIpAllowlist(input.ipAllowlist ?? []),
      otherWorkspaceIds: [...new Set(input.otherWorkspaceIds ?? [])].filter((w) => w !== workspaceId),
    };
    if (wanted.keyspaceIds !== null && wanted.otherWorkspaceIds.length > 0)
      throw new TesseraError('VALIDATION_FAILED', 'A root key limited to keyspaces reaches its own workspace only.');
    // No escalation: a root key grants only what it holds itself, within its keyspaces, workspaces and lifetime.
    const exceeds = uncoveredReach(creator, wanted);
    if (exceeds.length > 0) throw new TesseraError('FORBIDDEN', `Cannot grant what this root key does not hold: ${exceeds.join(', ')}.`);
    for (const id of wanted.keyspaceIds ?? []) {
      const ks = await tx.getKeyspace(id);
      if (ks === undefined || ks.workspaceId !== workspaceId) throw new TesseraError('NOT_FOUND', `No such keyspace: ${id}.`);
    }
    return this.insert(tx, actor, { name: input.name, ...wanted }, workspaceId);
  }

  /** The root keys of the holder's workspace; a holder limited to keyspaces sees those within its own only. */
  async list(holder: RootKeyRecord): Promise<RootKeyRecord[]> {
    return (await this.deps.store.listRootKeys(holder.workspaceId)).filter((rk) => keyspacesWithin(holder, rk));
  }

  /** Revokes a root key; the revoker must cover everything the revoked key reaches (no taking down a broader key). */
  async revoke(actor: Actor, revoker: RootKeyRecord, id: string): Promise<RootKeyRecord> {
    const updated = await this.deps.store.transaction(async (tx) => {
      const rk = await this.target(tx, actor, revoker, id, 'Revoking');
      if (rk.revokedAt === null) {
        await tx.updateRootKey(id, { revokedAt: this.deps.clock.now() });
        await appendAudit(tx, this.deps.clock, actor, { action: 'root_key.revoked', target: id });
      }
      return (await tx.getRootKey(id))!;
    });
    await this.deps.bus.publish({ kind: 'root_key', id, hash: updated.hash });
    return updated;
  }

  /**
   * Rolls a root key: a new key with the same permissions, keyspaces, allowlist and expiry; the old
   * one keeps working for the grace period, then expires. The caller receives a copy of the key, so
   * it must cover everything the key reaches.
   */
  async roll(actor: Actor, roller: RootKeyRecord, id: string, gracePeriodSeconds: number): Promise<{ record: RootKeyRecord; key: string }> {
    const now = this.deps.clock.now();
    const { old, made } = await this.deps.store.transaction(async (tx) => {
      const rk = await this.target(tx, actor, roller, id, 'Rolling');
      if (rk.revokedAt !== null || rk.rolledToId !== null || (rk.expiresAt !== null && rk.expiresAt <= now))
        throw new TesseraError('CONFLICT', 'This root key is revoked, expired or rolled already.');
      const made = await this.insert(tx, actor, rk, rk.workspaceId);
      const graceEnd = now + gracePeriodSeconds * 1000;
      const expiresAt = rk.expiresAt === null ? graceEnd : Math.min(rk.expiresAt, graceEnd);
      // Compare-and-set: of two concurrent rolls, one wins and the other is a conflict.
      if (!(await tx.markRootKeyRolled(id, { rolledToId: made.record.id, expiresAt })))
        throw new TesseraError('CONFLICT', 'This root key is revoked, expired or rolled already.');
      await appendAudit(tx, this.deps.clock, actor, {
        action: 'root_key.rolled',
        target: id,
        details: { rolledToId: made.record.id, gracePeriodSeconds },
      });
      return { old: rk, made };
    });
    await this.deps.bus.publish({ kind: 'root_key', id, hash: old.hash });
    return made;
  }

  /** A root key of the actor's workspace that `holder` covers entirely. */
  private async target(tx: Repos, actor: Actor, holder: RootKeyRecord, id: string, verb: string): Promise<RootKeyRecord> {
    const rk = await tx.getRootKey(id);
    if (rk === undefined || rk.workspaceId !== actor.workspaceId) throw new TesseraError('NOT_FOUND', 'No such root key.');
    const beyond = uncoveredReach(holder, rk);
    if (beyond.length > 0)
      throw new TesseraError('FORBIDDEN', `${verb} this root key needs everything it holds; this root key lacks: ${beyond.join(', ')}.`);
    return rk;
  }

  private async insert(
    tx: Repos,
    actor: Actor,
    input: Pick<RootKeyInput, 'name' | 'permissions' | 'expiresAt' | 'ipAllowlist' | 'keyspaceIds' | 'otherWorkspaceIds'>,
    workspaceId: string,
  ): Promise<{ record: RootKeyRecord; key: string }> {
    const key = generateKey(ROOT_KEY_PREFIX);
    const record: RootKeyRecord = {
      id: newId('rootKey'),
      workspaceId,
      name: input.name,
      hash: this.deps.keyring.hash('root_key', key),
      pepperVersion: this.deps.keyring.currentPepperVersion,
      start: keyHint(key),
      permissions: [...new Set(input.permissions)],
      createdAt: this.deps.clock.now(),
      revokedAt: null,
      lastUsedAt: null,
      expiresAt: input.expiresAt ?? null,
      ipAllowlist: input.ipAllowlist ?? [],
      keyspaceIds: input.keyspaceIds ?? null,
      rolledToId: null,
      otherWorkspaceIds: input.otherWorkspaceIds ?? [],
    };
    await tx.insertRootKey(record);
    await appendAudit(tx, this.deps.clock, actor, {
      action: 'root_key.created',
      target: record.id,
      details: {
        name: record.name,
        permissions: record.permissions,
        ...(record.keyspaceIds !== null && { keyspaceIds: record.keyspaceIds }),
        ...(record.expiresAt !== null && { expiresAt: new Date(record.expiresAt).toISOString() }),
        ...(record.ipAllowlist.length > 0 && { ipAllowlist: record.ipAllowlist }),
        ...(record.otherWorkspaceIds.length > 0 && { otherWorkspaceIds: record.otherWorkspaceIds }),
      },
    });
    return { record, key };
  }
}
