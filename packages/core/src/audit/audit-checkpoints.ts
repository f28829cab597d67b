import type { Clock } from '../clock.js';
import { TesseraError } from '../errors.js';
import type { Keyring } from '../custody/envelope-keyring.js';
import type { Store } from '../store/store.js';
import { auditHash } from './audit-chain.js';
import type { AuditCheckpointRecord } from './audit-checkpoint-repos.js';
import { loadAuditSigningKeys, type AuditSigningKey } from './audit-signing-keys.js';
import type { AuditPin, PinnedCheckpoint } from './checkpoint-files.js';
import { checkCheckpoint, signCheckpoint, type PreviousCheckpoint } from './checkpoint-signature.js';
import { every, type Ticker } from '../lifecycle/every.js';

export interface CheckpointPolicy {
  /** Sign after this many new entries… */
  everyEntries: number;
  /** …or when this much time has passed with any new entry. */
  everyMs: number;
}

/** Why the checkpointer would not sign: the database no longer holds what it signed before. */
export interface CheckpointRefusal {
  reason: string;
  /** The checkpoint it remembers outside the database (0 if none). */
  pinnedSeq: number;
  headSeq: number;
}

export interface CheckpointerHooks {
  /** The last checkpoint remembered outside the database (see {@link AuditPin}); without one, nothing is remembered. */
  pin?: AuditPin | undefined;
  /** Each new checkpoint, for copies outside the database (a file, a webhook). Errors go to `onError`. */
  onCheckpoint?: ((c: AuditCheckpointRecord, kid: string) => Promise<void> | void) | undefined;
  /** A refusal, once per distinct reason until a checkpoint is signed again: raise the alarm here. */
  onRefusal?: ((r: CheckpointRefusal) => Promise<void> | void) | undefined;
  /** Something an operator should know that is not an error (a pin adopted from the database). */
  onNotice?: ((message: string) => void) | undefined;
}

class Refused extends TesseraError {
  constructor(readonly refusal: CheckpointRefusal) {
    super('AUDIT_TAMPERED', `The audit checkpointer refuses to sign the chain's head: ${refusal.reason}`);
  }
}

/**
 * Writes signed checkpoints of the audit chain's head every N entries or T milliseconds,
 * whichever comes first. Several nodes may run one: a checkpoint of the same head is written once.
 *
 * Before signing, it checks that the head still descends from the newest checkpoint it remembers
 * outside the database (the pin): that checkpoint is still stored, its entry still has the hash it
 * signed, its key is still the keyring's, and every entry after it links and hashes up to the head.
 * Someone who can write to the database — but not the pin — cannot delete recent checkpoints,
 * rewrite entries with recomputed hashes, and have the forged head signed.
 */
export class AuditCheckpointer {
  private keys: Promise<Map<number, AuditSigningKey>> | undefined;
  private ticker: Ticker | undefined;
  private pinned: PinnedCheckpoint | undefined;
  private pinLoaded = false;
  /** The chain was checked up to here (in memory; starts at the pin). */
  private verified: { seq: number; hash: string } | undefined;
  private refusedFor: string | undefined;

  constructor(
    private readonly deps: { store: Store; keyring: Keyring; clock: Clock },
    readonly policy: CheckpointPolicy = { everyEntries: 1000, everyMs: 60_000 },
    private readonly onError: (err: unknown) => void = () => {},
    private readonly hooks: CheckpointerHooks = {},
  ) {}

  /** Writes a checkpoint if the policy asks for one; returns it. A refusal is reported to `onRefusal`, not thrown. */
  async tick(): Promise<AuditCheckpointRecord | undefined> {
    try {
      const head = await this.deps.store.auditHead();
      if (head.seq === 0) return undefined;
      const prev = await this.guard(head);
      if (prev !== null && prev.seq >= head.seq) return undefined;
      const last = prev === null ? undefined : (await this.deps.store.listAuditCheckpoints(prev.seq - 1, 1))[0];
      const now = this.deps.clock.now();
      const due = head.seq - (prev?.seq ?? 0) >= this.policy.everyEntries || now - (last?.ts ?? 0) >= this.policy.everyMs;
      return due ? await this.sign(head, now, prev) : undefined;
    } catch (err) {
      if (err instanceof Refused) return undefined;
      throw err;
    }
  }

  /** Signs the current head now, whatever the policy says; throws `AUDIT_TAMPERED` when it refuses. */
  async checkpoint(): Promise<AuditCheckpointRecord | undefined> {
    const head = await this.deps.store.auditHead();
    if (head.seq === 0) return undefined;
    const prev = await this.guard(head);
    if (prev !== null && prev.seq >= head.seq) return this.deps.store.latestAuditCheckpoint();
    return this.sign(head, this.deps.clock.now(), prev);
  }

  /**
   * The signing keys, decrypted through the keyring. The first is made on first use — unless a
   * checkpoint is remembered: then keys gone from the database are a refusal, not a new key.
   */
  signingKeys(): Promise<Map<number, AuditSigningKey>> {
    this.loadPin();
    const create = this.pinned === undefined;
    this.keys ??= loadAuditSigningKeys(this.deps.keyring, this.deps.store, this.deps.clock, create).then(
      (keys) => {
        if (keys.size === 0) this.keys = undefined;
        return keys;
      },
      (err: unknown) => {
        this.keys = undefined;
        throw err;
      },
    );
    return this.keys;
  }

  /** The checkpoint remembered outside the database, if any. */
  pinnedCheckpoint(): AuditCheckpointRecord | undefined {
    this.loadPin();
    return this.pinned?.checkpoint;
  }

  start(pollMs = Math.min(this.policy.everyMs, 5000)): void {
    // Now as well: entries written while no node ran (a CLI command, a restart) are signed at once.
    this.ticker ??= every(pollMs, () => this.tick(), this.onError, { now: true });
  }

  async stop(): Promise<void> {
    await this.ticker?.stop();
    this.ticker = undefined;
  }

  private loadPin(): void {
    if (this.pinLoaded || this.hooks.pin === undefined) return;
    this.pinned = this.hooks.pin.read();
    this.pinLoaded = true;
  }

  /** Checks the head against the pin (see the class comment); answers the checkpoint to name as the previous one. */
  private async guard(head: { seq: number; hash: string }): Promise<PreviousCheckpoint> {
    const { store } = this.deps;
    const keys = await this.signingKeys();
    this.loadPin();
    const refuse = (reason: string) => this.refuse({ reason, pinnedSeq: this.pinned?.checkpoint.seq ?? 0, headSeq: head.seq });
    const last = await store.latestAuditCheckpoint();
    if (this.pinned === undefined && last !== undefined && this.hooks.pin !== undefined) {
      // First start with a pin (a new node, or an upgrade): trust the database's newest checkpoint once.
      if ((await checkCheckpoint(last, keys)) === false)
        return refuse(`the newest checkpoint in the database (entry ${last.seq}) has a signature this keyring did not make`);
      this.setPin(last, keys);
      this.hooks.onNotice?.(`no audit pin in ${this.hooks.pin.where}: adopted the database's newest checkpoint (entry ${last.seq})`);
    }
    const pin = this.pinned?.checkpoint;
    if (pin !== undefined) {
      const key = keys.get(pin.keyVersion);
      if (key === undefined || key.kid !== this.pinned!.kid)
        return refuse(`the key that signed the checkpoint at entry ${pin.seq} is no longer among the audit signing keys in the database`);
      if ((await checkCheckpoint(pin, keys)) === false)
        return refuse(`the checkpoint remembered in ${this.hooks.pin!.where} does not verify`);
      const [stored] = await store.listAuditCheckpoints(pin.seq - 1, 1);
      if (stored?.seq !== pin.seq || stored.hash !== pin.hash)
        return refuse(
          `the signed checkpoint at entry ${pin.seq}, remembered outside the database, is gone from it: checkpoints were deleted`,
        );
    }
    const from = this.verified ?? (pin === undefined ? undefined : { seq: pin.seq, hash: pin.hash });
    if (from !== undefined) {
      if (head.seq < from.seq) return refuse(`the chain ends before entry ${from.seq}, which was checked or signed: entries were removed`);
      const [e] = await store.scanAudit(from.seq, 1);
      if (e?.seq !== from.seq || e.hash !== from.hash)
        return refuse(`entry ${from.seq} no longer has the hash that was checked or signed: entries up to it were rewritten`);
      const broken = await brokenLink(store, from, head);
      if (broken !== undefined) return refuse(`entry ${broken} does not follow from the entries before it`);
      this.verified = { seq: head.seq, hash: head.hash };
    }
    if (last !== undefined && (pin === undefined || last.seq > pin.seq) && last.seq <= head.seq) {
      // Another node signed since: its checkpoint must verify and hold, then it becomes the pin.
      if ((await checkCheckpoint(last, keys)) === false)
        return refuse(`the newest checkpoint in the database (entry ${last.seq}) has a signature this keyring did not make`);
      const [e] = await store.scanAudit(last.seq, 1);
      if (e?.hash !== last.hash) return refuse(`entry ${last.seq} no longer has the hash its signed checkpoint holds`);
      this.setPin(last, keys);
    }
    const p = this.pinned?.checkpoint ?? last;
    return p === undefined ? null : { seq: p.seq, hash: p.hash };
  }

  private async refuse(r: CheckpointRefusal): Promise<never> {
    if (this.refusedFor !== r.reason) {
      this.refusedFor = r.reason;
      try {
        await this.hooks.onRefusal?.(r);
      } catch (err) {
        this.onError(err);
      }
    }
    throw new Refused(r);
  }

  private setPin(c: AuditCheckpointRecord, keys: ReadonlyMap<number, AuditSigningKey>): void {
    const pinned = { checkpoint: c, kid: keys.get(c.keyVersion)!.kid };
    this.pinned = pinned;
    try {
      this.hooks.pin?.write(pinned);
    } catch (err) {
      this.onError(err);
    }
  }

  private async sign(head: { seq: number; hash: string }, ts: number, prev: PreviousCheckpoint): Promise<AuditCheckpointRecord> {
    const keys = await this.signingKeys();
    const key = keys.get(Math.max(...keys.keys()));
    if (key === undefined) throw new TesseraError('AUDIT_TAMPERED', 'no audit signing key');
    const c = await signCheckpoint(head, ts, prev, key);
    if (!(await this.deps.store.insertAuditCheckpoint(c))) return c; // another node signed this head: adopted next time
    this.setPin(c, keys);
    this.refusedFor = undefined;
    try {
      await this.hooks.onCheckpoint?.(c, key.kid);
    } catch (err) {
      this.onError(err);
    }
    return c;
  }
}

/** The first entry in (from, head] that does not link to and hash from the one before it. */
async function brokenLink(
  store: Store,
  from: { seq: number; hash: string },
  head: { seq: number; hash: string },
): Promise<number | undefined> {
  let prev = from.hash;
  let expected = from.seq + 1;
  while (expected <= head.seq) {
    const page = await store.scanAudit(expected, 1000);
    if (page.length === 0) return expected;
    for (const e of page) {
      if (expected > head.seq) break;
      const { prevHash, hash, ...body } = e;
      if (e.seq !== expected || prevHash !== prev || auditHash(prev, body) !== hash) return expected;
      prev = hash;
      expected++;
    }
  }
  return prev === head.hash ? undefined : head.seq;
}
