import { parseKey, generateKey, keyHint } from '../api-keys/key-format.js';
import { RecordCache, isNegative } from '../api-keys/record-cache.js';
import { appendAudit, type Actor } from '../audit/audit-chain.js';
import type { Clock } from '../clock.js';
import { TesseraError } from '../errors.js';
import { newId } from '../ids.js';
import type { InvalidationBus } from '../invalidation-bus.js';
import type { Keyring } from '../custody/envelope-keyring.js';
import type { RootKeyRecord } from '../store/records.js';
import type { Repos, Store } from '../store/store.js';
import { isPermissionGrant, uncoveredGrants } from './permissions.js';

export const ROOT_KEY_PREFIX = 'tessera_root';
export const DEFAULT_WORKSPACE_ID = 'ws_default';

/** Root keys authenticate the management API. Cached like API keys, since every call checks one. */
export class RootKeyService {
  readonly cache = new RecordCache<RootKeyRecord>({ maxEntries: 10_000, maxNegativeEntries: 10_000, negativeTtlMs: 30_000 });

  constructor(private readonly deps: { store: Store; keyring: Keyring; clock: Clock; bus: InvalidationBus }) {}

  /** The root key behind a bearer token, or `undefined` (never a hint of why). */
  async authenticate(token: string): Promise<RootKeyRecord | undefined> {
    const parsed = parseKey(token);
    if (parsed === undefined || parsed.prefix !== ROOT_KEY_PREFIX) return undefined;
    const now = this.deps.clock.now();
    const digest = this.cache.digest(token);
    const hit = this.cache.get(digest, now);
    if (isNegative(hit)) return undefined;
    let record = hit?.record;
    if (record === undefined) {
      const generation = this.cache.generation;
      let hash = this.deps.keyring.hash(token);
      try {
        // Root keys made before a pepper rotation are found under their own pepper version.
        for (const version of this.deps.keyring.pepperVersions) {
          const h = this.deps.keyring.hash(token, version);
          record = await this.deps.store.findRootKeyByHash(h);
          if (record !== undefined) {
            hash = h;
            break;
          }
        }
      } catch {
        throw new TesseraError('STORE_UNAVAILABLE', 'The store is unavailable; try again shortly.');
      }
      if (generation === this.cache.generation) {
        if (record === undefined) this.cache.setNegative(digest, hash, now);
        else this.cache.set(digest, hash, record);
      }
    }
    return record === undefined || record.revokedAt !== null ? undefined : record;
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

  async create(
    actor: Actor,
    creator: RootKeyRecord,
    input: { name: string; permissions: string[]; workspaceId?: string | undefined },
  ): Promise<{ record: RootKeyRecord; key: string }> {
    const workspaceId = input.workspaceId ?? creator.workspaceId;
    if (workspaceId !== creator.workspaceId)
      throw new TesseraError('FORBIDDEN', 'A root key can only create root keys in its own workspace.');
    for (const p of input.permissions) {
      if (!isPermissionGrant(p)) throw new TesseraError('VALIDATION_FAILED', `unknown permission "${p}"`);
    }
    // No escalation: a root key grants only what it holds itself.
    const exceeds = uncoveredGrants(creator.permissions, input.permissions);
    if (exceeds.length > 0)
      throw new TesseraError('FORBIDDEN', `Cannot grant permissions this root key does not hold: ${exceeds.join(', ')}.`);
    return this.deps.store.transaction((tx) => this.insert(tx, actor, input, workspaceId));
  }

  async list(workspaceId: string): Promise<RootKeyRecord[]> {
    return this.deps.store.listRootKeys(workspaceId);
  }

  /** Revokes a root key; the revoker must hold every permission the revoked key holds (no taking down a broader key). */
  async revoke(actor: Actor, revoker: RootKeyRecord, id: string): Promise<RootKeyRecord> {
    const updated = await this.deps.store.transaction(async (tx) => {
      const rk = await tx.getRootKey(id);
      if (rk === undefined || rk.workspaceId !== actor.workspaceId) throw new TesseraError('NOT_FOUND', 'No such root key.');
      const beyond = uncoveredGrants(revoker.permissions, rk.permissions);
      if (beyond.length > 0)
        throw new TesseraError(
          'FORBIDDEN',
          `Revoking this root key needs every permission it holds; this root key lacks: ${beyond.join(', ')}.`,
        );
      if (rk.revokedAt === null) {
        await tx.updateRootKey(id, { revokedAt: this.deps.clock.now() });
        await appendAudit(tx, this.deps.clock, actor, { action: 'root_key.revoked', target: id });
      }
      return (await tx.getRootKey(id))!;
    });
    await this.deps.bus.publish({ kind: 'root_key', id, hash: updated.hash });
    return updated;
  }

  private async insert(
    tx: Repos,
    actor: Actor,
    input: { name: string; permissions: string[] },
    workspaceId: string,
  ): Promise<{ record: RootKeyRecord; key: string }> {
    const key = generateKey(ROOT_KEY_PREFIX);
    const record: RootKeyRecord = {
      id: newId('rootKey'),
      workspaceId,
      name: input.name,
      hash: this.deps.keyring.hash(key),
      pepperVersion: this.deps.keyring.currentPepperVersion,
      start: keyHint(key),
      permissions: [...new Set(input.permissions)],
      createdAt: this.deps.clock.now(),
      revokedAt: null,
      lastUsedAt: null,
    };
    await tx.insertRootKey(record);
    await appendAudit(tx, this.deps.clock, actor, {
      action: 'root_key.created',
      target: record.id,
      details: { name: record.name, permissions: record.permissions },
    });
    return { record, key };
  }
}
