import { appendAudit, type Actor, type AuditDraft } from '../audit/audit-chain.js';
import type { Clock } from '../clock.js';
import { TesseraError } from '../errors.js';
import { newId } from '../ids.js';
import type { InvalidationBus } from '../invalidation-bus.js';
import type { KeyListQuery, KeyListState } from './key-repos.js';
import { keyInvalidation, writeKeyChange } from './write-key-change.js';
import type { Keyring } from '../custody/envelope-keyring.js';
import type { KeyRecord, KeyspaceRecord } from '../store/records.js';
import type { Repos, Store } from '../store/store.js';
import { ChangeLaps, type ChangeAction, type ChangeObserver } from './change-phases.js';
import { PREFIX_PATTERN } from '@tessera/api';
import { keyFields, newKey, type CreateKeyInput, type KeyAttributes } from './key-attributes.js';
import { sealRecoverableKey } from './key-recovery.js';
import { expiryWithinLifetime, type RotationRules } from './rotation-rules.js';

/** Prefixes the service uses for its own credentials (root keys, client secrets, opaque access and refresh tokens). */
export const RESERVED_PREFIXES = ['tessera', 'tessera_root', 'tessera_cs', 'tessera_at', 'tessera_rt'];

/** `tessera` and every `tessera_…` prefix are kept for Tessera, those it has and those it may add. */
export function isReservedPrefix(prefix: string): boolean {
  return prefix === 'tessera' || prefix.startsWith('tessera_');
}

export interface KeyServiceDeps {
  store: Store;
  keyring: Keyring;
  clock: Clock;
  bus: InvalidationBus;
  /** Told where each change (revoke, roll, update, delete) spent its time. */
  observeChange?: ChangeObserver;
  /** A keyspace's rotation policy, read fresh (none: no limits), so a maximum key lifetime holds on create and update. */
  rotationRules?: (keyspaceId: string) => Promise<RotationRules | undefined>;
}

/** Management of keyspaces and keys: every change is written with its audit entry, in one transaction. */
export class KeyService {
  constructor(private readonly deps: KeyServiceDeps) {}

  async createKeyspace(actor: Actor, input: { name: string; prefix: string; recoverable?: boolean | undefined }): Promise<KeyspaceRecord> {
    if (!PREFIX_PATTERN.test(input.prefix)) {
      throw new TesseraError('VALIDATION_FAILED', 'prefix must match [a-z][a-z0-9_]{0,15} and not end in "_"');
    }
    if (isReservedPrefix(input.prefix)) {
      throw new TesseraError('VALIDATION_FAILED', `prefix "${input.prefix}" is reserved: tessera and tessera_… are Tessera's own`);
    }
    const ks: KeyspaceRecord = {
      id: newId('keyspace'),
      workspaceId: this.workspaceOf(actor),
      name: input.name,
      prefix: input.prefix,
      recoverable: input.recoverable ?? false,
      createdAt: this.deps.clock.now(),
    };
    await this.deps.store.transaction(async (tx) => {
      await tx.insertKeyspace(ks);
      await appendAudit(tx, this.deps.clock, actor, {
        action: 'keyspace.created',
        target: ks.id,
        details: { name: ks.name, prefix: ks.prefix, recoverable: ks.recoverable },
      });
    });
    return ks;
  }

  async listKeyspaces(actor: Actor): Promise<KeyspaceRecord[]> {
    return this.deps.store.listKeyspaces(this.workspaceOf(actor));
  }

  async getKeyspace(actor: Actor, id: string, repos: Repos = this.deps.store): Promise<KeyspaceRecord> {
    const ks = await repos.getKeyspace(id);
    if (ks === undefined || ks.workspaceId !== actor.workspaceId) throw new TesseraError('NOT_FOUND', 'No such keyspace.');
    return ks;
  }

  /** Creates a key; the plain key is in the answer and nowhere else, ever. */
  async createKey(actor: Actor, input: CreateKeyInput): Promise<{ record: KeyRecord; key: string }> {
    // Read before the transaction: on SQLite it holds the one connection.
    const rules = await this.deps.rotationRules?.(input.keyspaceId);
    const created = await this.deps.store.transaction(async (tx) => {
      const ks = await this.getKeyspace(actor, input.keyspaceId, tx);
      const now = this.deps.clock.now();
      const expiresAt = expiryWithinLifetime(input.expiresAt ?? null, rules, now, { creating: true });
      const { record, key } = newKey(ks, { ...input, expiresAt }, this.deps.keyring, now);
      await tx.insertKey(record);
      if (ks.recoverable) await sealRecoverableKey(tx, this.deps.keyring, record, key);
      await appendAudit(tx, this.deps.clock, actor, {
        action: 'key.created',
        target: record.id,
        details: { keyspaceId: ks.id, ownerId: record.ownerId, name: record.name, scopes: record.scopes, expiresAt: record.expiresAt },
      });
      return { record, key };
    });
    this.published(created.record);
    return created;
  }

  async getKey(actor: Actor, id: string, repos: Repos = this.deps.store): Promise<KeyRecord> {
    const key = await repos.getKey(id);
    if (key === undefined || key.deletedAt !== null || key.workspaceId !== actor.workspaceId) {
      throw new TesseraError('NOT_FOUND', 'No such key.');
    }
    return key;
  }

  /** A page of a keyspace's keys, or of every keyspace's; a `state` is judged at the service's clock. */
  async listKeys(
    actor: Actor,
    q: Omit<KeyListQuery, 'workspaceId' | 'state'> & { state?: KeyListState | undefined },
  ): Promise<KeyRecord[]> {
    if (q.keyspaceId !== undefined) await this.getKeyspace(actor, q.keyspaceId);
    const { state, ...rest } = q;
    return this.deps.store.listKeys({
      workspaceId: this.workspaceOf(actor),
      ...rest,
      ...(state !== undefined && { state: { is: state, now: this.deps.clock.now() } }),
    });
  }

  async updateKey(actor: Actor, id: string, patch: KeyAttributes): Promise<KeyRecord> {
    // A key's keyspace never changes: its rules are read first, and only when the expiry changes.
    const rules = patch.expiresAt === undefined ? undefined : await this.deps.rotationRules?.((await this.getKey(actor, id)).keyspaceId);
    const now = this.deps.clock.now();
    if (patch.expiresAt !== undefined)
      patch = { ...patch, expiresAt: expiryWithinLifetime(patch.expiresAt, rules, now, { creating: false }) };
    const fields = keyFields(patch, { creating: false }, now);
    const changed = Object.keys(fields);
    const action = changed.length === 1 && changed[0] === 'enabled' ? (fields.enabled ? 'key.enabled' : 'key.disabled') : 'key.updated';
    const set = { ...fields, updatedAt: now };
    const updated = await writeKeyChange(
      this.deps,
      this.withWorkspace(actor),
      'update',
      { id, set },
      { action, target: id, details: { changed } },
    );
    if (updated === undefined) throw new TesseraError('NOT_FOUND', 'No such key.');
    return updated;
  }

  /**
   * Revokes a key (revoking a revoked key changes nothing). The key, its audit entry and the
   * forgotten hygiene expiry are one write (on PostgreSQL one statement and one round trip): the
   * fewest round trips, which is what a revocation's tail is made of.
   */
  async revokeKey(
    actor: Actor,
    id: string,
    reason?: string,
    audit: { action: 'key.revoked' | 'key.retired'; details?: Record<string, unknown> } = { action: 'key.revoked' },
  ): Promise<KeyRecord> {
    const at = this.deps.clock.now();
    const change = { id, set: { revokedAt: at, revokeReason: reason ?? null, updatedAt: at }, unlessRevoked: true };
    const draft = { action: audit.action, target: id, details: { reason: reason ?? null, ...audit.details } };
    // Nothing written: none such (NOT_FOUND), or revoked already (answered as it is).
    return (await writeKeyChange(this.deps, this.withWorkspace(actor), 'revoke', change, draft)) ?? this.getKey(actor, id);
  }

  async deleteKey(actor: Actor, id: string): Promise<void> {
    const now = this.deps.clock.now();
    const deleted = await writeKeyChange(
      this.deps,
      this.withWorkspace(actor),
      'delete',
      { id, set: { deletedAt: now, updatedAt: now } },
      { action: 'key.deleted', target: id },
    );
    if (deleted === undefined) throw new TesseraError('NOT_FOUND', 'No such key.');
  }

  /**
   * Rolls a key: a new key with the same attributes, and the old one expires after the grace
   * period (or sooner, if it was going to expire sooner anyway).
   */
  async rollKey(
    actor: Actor,
    id: string,
    gracePeriodSeconds: number,
    o: { retireWhenUnused?: { quietPeriodSeconds: number } | undefined } = {},
  ): Promise<{ record: KeyRecord; key: string }> {
    let created: { record: KeyRecord; key: string } | undefined;
    await this.change(actor, id, 'roll', async (tx, old) => {
      if (old.revokedAt !== null) throw new TesseraError('CONFLICT', 'A revoked key cannot be rolled.');
      if (o.retireWhenUnused !== undefined && old.rolledToId !== null)
        throw new TesseraError('CONFLICT', `This key was rolled already (to ${old.rolledToId}): roll that key instead.`);
      const ks = await this.getKeyspace(actor, old.keyspaceId, tx);
      const now = this.deps.clock.now();
      // An expiry the hygiene sweep scheduled because the old key sat idle is not the new key's.
      const pending = await tx.forgetScheduledExpiry(id);
      created = newKey(
        ks,
        {
          ownerId: old.ownerId,
          name: old.name,
          scopes: old.scopes,
          meta: old.meta,
          environment: old.environment,
          expiresAt: pending !== undefined ? pending.previousExpiresAt : old.expiresAt,
          ipAllowlist: old.ipAllowlist,
          ratelimits: old.ratelimits,
          credits: old.credits && { remaining: old.credits.remaining, refill: old.credits.refill },
          enabled: old.enabled,
        },
        this.deps.keyring,
        this.deps.clock.now(),
      );
      const graceEnd = now + gracePeriodSeconds * 1000;
      const expiresAt = old.expiresAt === null ? graceEnd : Math.min(old.expiresAt, graceEnd);
      await tx.insertKey(created.record);
      if (ks.recoverable) await sealRecoverableKey(tx, this.deps.keyring, created.record, created.key);
      await tx.updateKey(id, { expiresAt, rolledToId: created.record.id, updatedAt: now });
      const retire = o.retireWhenUnused;
      if (retire !== undefined)
        await tx.rollovers.insertRollover({
          predecessorId: id,
          successorId: created.record.id,
          workspaceId: old.workspaceId,
          keyspaceId: old.keyspaceId,
          quietPeriodSeconds: retire.quietPeriodSeconds,
          deadline: expiresAt,
          createdAt: now,
          successorFirstUsedAt: null,
          retiredAt: null,
          retiredReason: null,
        });
      const details = { newKeyId: created.record.id, gracePeriodSeconds, ...(retire && { retireWhenUnused: retire }) };
      return { action: 'key.rolled', target: id, details };
    });
    this.published(created!.record);
    return created!;
  }

  /** Revokes every live key of one owner in a workspace; one audit entry names them all. */
  async revokeByOwner(actor: Actor, ownerId: string, reason?: string): Promise<string[]> {
    const laps = new ChangeLaps();
    const revoked = await this.deps.store.transaction(async (tx) => {
      laps.begin();
      const keys = await tx.revokeLiveKeysByOwner(this.workspaceOf(actor), ownerId, { at: this.deps.clock.now(), reason: reason ?? null });
      const ids = keys.map((k) => k.id);
      laps.lap('write');
      await appendAudit(tx, this.deps.clock, actor, {
        action: 'keys.revoked_by_owner',
        target: ownerId,
        details: { count: ids.length, keyIds: ids, reason: reason ?? null },
      });
      laps.lap('audit');
      return keys;
    });
    laps.lap('commit');
    // As one message where the nodes read batches: one acknowledgement per node, not one per key.
    await this.deps.bus.publishMany(revoked.map((key) => keyInvalidation(key, true)));
    laps.lap('publish');
    laps.report('revoke_by_owner', this.deps.observeChange);
    return revoked.map((k) => k.id);
  }

  /** Loads a key, applies a change with its audit entry in one transaction, then invalidates caches. */
  private async change(
    actor: Actor,
    id: string,
    action: ChangeAction,
    fn: (tx: Repos, key: KeyRecord) => Promise<AuditDraft | undefined>,
  ): Promise<KeyRecord> {
    const laps = new ChangeLaps();
    const updated = await this.deps.store.transaction(async (tx) => {
      laps.begin();
      const key = await this.getKey(actor, id, tx);
      const draft = await fn(tx, key);
      // A key an administrator changed is theirs to expire: a pending hygiene expiry must not be
      // cancelled later, which would restore an older expiry.
      await tx.forgetScheduledExpiry(id);
      const after = (await tx.getKey(id))!;
      laps.lap('write');
      // The audit entry last: on PostgreSQL it locks the audit head until the commit, and every
      // other audited change in the cluster waits for that lock.
      if (draft !== undefined) await appendAudit(tx, this.deps.clock, actor, draft);
      laps.lap('audit');
      return after;
    });
    laps.lap('commit');
    await this.deps.bus.publish({ kind: 'key', id: updated.id, hash: updated.hash });
    laps.lap('publish');
    laps.report(action, this.deps.observeChange);
    return updated;
  }

  private published(record: KeyRecord): void {
    // A key that did not exist may sit in a negative cache somewhere: clear it by its hash.
    void this.deps.bus.publish({ kind: 'key', id: record.id, hash: record.hash });
  }

  private withWorkspace(actor: Actor): Actor & { workspaceId: string } {
    return { ...actor, workspaceId: this.workspaceOf(actor) };
  }

  private workspaceOf(actor: Actor): string {
    if (actor.workspaceId === null) throw new TesseraError('FORBIDDEN', 'This actor has no workspace.');
    return actor.workspaceId;
  }
}
