import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import type { Clock } from '../clock.js';
import { TesseraError } from '../errors.js';
import type { Keyring } from '../custody/envelope-keyring.js';
import type { Store } from '../store/store.js';
import { canonicalJson, verifyAuditChain, type ChainReport } from './audit-chain.js';

/** A signed statement that the chain's entry `seq` had hash `hash` at time `ts` (DESIGN §1.5). */
export interface AuditCheckpointRecord {
  seq: number;
  hash: string;
  ts: number;
  keyVersion: number;
  /** Ed25519 over {@link checkpointMessage}, base64url. */
  signature: string;
}

/** An Ed25519 key that signs checkpoints; the private half is a keyring ciphertext. */
export interface AuditSigningKeyRecord {
  version: number;
  /** SPKI DER, base64url. */
  publicKey: string;
  privateKey: string;
  createdAt: number;
}

export interface AuditCheckpointRepos {
  latestAuditCheckpoint(): Promise<AuditCheckpointRecord | undefined>;
  /** `false` when a checkpoint for that sequence exists already (another node wrote it). */
  insertAuditCheckpoint(c: AuditCheckpointRecord): Promise<boolean>;
  /** Checkpoints in sequence order after `afterSeq`, at most `limit`. */
  listAuditCheckpoints(afterSeq: number, limit: number): Promise<AuditCheckpointRecord[]>;
  listAuditSigningKeys(): Promise<AuditSigningKeyRecord[]>;
  insertAuditSigningKey(k: AuditSigningKeyRecord): Promise<boolean>;
}

/** The bytes a checkpoint signature covers. */
export function checkpointMessage(c: Pick<AuditCheckpointRecord, 'seq' | 'hash' | 'ts'>): Buffer {
  return Buffer.from(
    canonicalJson({ format: 'tessera-audit-checkpoint/v1', seq: c.seq, hash: c.hash, ts: new Date(c.ts).toISOString() }),
    'utf8',
  );
}

interface SigningKey {
  version: number;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

const aadOf = (version: number) => `audit_signing_key:${version}`;

/**
 * The checkpoint signing keys, decrypted through the keyring. Public keys are taken from the
 * decrypted private keys, not from the row, so a key row planted in the database does not verify.
 */
export async function loadAuditSigningKeys(
  keyring: Keyring,
  store: Store,
  clock: Clock,
  create: boolean,
): Promise<Map<number, SigningKey>> {
  const keys = new Map<number, SigningKey>();
  for (const row of await store.listAuditSigningKeys()) {
    const der = await keyring.decrypt(row.privateKey, aadOf(row.version));
    const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    der.fill(0);
    keys.set(row.version, { version: row.version, privateKey, publicKey: createPublicKey(privateKey) });
  }
  if (keys.size === 0 && create) {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const der = privateKey.export({ format: 'der', type: 'pkcs8' });
    const inserted = await store.insertAuditSigningKey({
      version: 1,
      publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64url'),
      privateKey: await keyring.encrypt(der, aadOf(1)),
      createdAt: clock.now(),
    });
    der.fill(0);
    if (!inserted) return loadAuditSigningKeys(keyring, store, clock, false);
    keys.set(1, { version: 1, privateKey, publicKey });
  }
  return keys;
}

export interface CheckpointPolicy {
  /** Sign after this many new entries… */
  everyEntries: number;
  /** …or when this much time has passed with any new entry. */
  everyMs: number;
}

/**
 * Writes signed checkpoints of the audit chain's head every N entries or T milliseconds,
 * whichever comes first. Several nodes may run one: a checkpoint of the same head is written once.
 */
export class AuditCheckpointer {
  private keys: Promise<Map<number, SigningKey>> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly deps: { store: Store; keyring: Keyring; clock: Clock },
    private readonly policy: CheckpointPolicy = { everyEntries: 1000, everyMs: 60_000 },
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  /** Writes a checkpoint if the policy asks for one; returns it. */
  async tick(): Promise<AuditCheckpointRecord | undefined> {
    const head = await this.deps.store.auditHead();
    const last = await this.deps.store.latestAuditCheckpoint();
    if (head.seq === 0 || (last !== undefined && last.seq >= head.seq)) return undefined;
    const now = this.deps.clock.now();
    const due = head.seq - (last?.seq ?? 0) >= this.policy.everyEntries || now - (last?.ts ?? 0) >= this.policy.everyMs;
    return due ? this.sign(head, now) : undefined;
  }

  /** Signs the current head now, whatever the policy says. */
  async checkpoint(): Promise<AuditCheckpointRecord | undefined> {
    const head = await this.deps.store.auditHead();
    const last = await this.deps.store.latestAuditCheckpoint();
    if (head.seq === 0 || (last !== undefined && last.seq >= head.seq)) return last;
    return this.sign(head, this.deps.clock.now());
  }

  start(pollMs = Math.min(this.policy.everyMs, 5000)): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => {
      this.running = this.tick().catch(this.onError);
    }, pollMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private async sign(head: { seq: number; hash: string }, ts: number): Promise<AuditCheckpointRecord> {
    this.keys ??= loadAuditSigningKeys(this.deps.keyring, this.deps.store, this.deps.clock, true).catch((err: unknown) => {
      this.keys = undefined;
      throw err;
    });
    const keys = await this.keys;
    const key = keys.get(Math.max(...keys.keys()))!;
    const c: AuditCheckpointRecord = { seq: head.seq, hash: head.hash, ts, keyVersion: key.version, signature: '' };
    c.signature = sign(null, checkpointMessage(c), key.privateKey).toString('base64url');
    await this.deps.store.insertAuditCheckpoint(c);
    return c;
  }
}

export interface AuditReport extends ChainReport {
  checkpoints: {
    /** Checkpoints whose signature and hash were checked. */
    checked: number;
    /** The newest entry a valid checkpoint vouches for (0 if none). */
    lastSignedSeq: number;
    /** Entries after it: they pass the chain check but no signature covers them yet. */
    unsignedEntries: number;
    /** A checkpoint whose signature does not verify under the keyring's keys. */
    badSignatureSeq?: number;
  };
}

/**
 * Checks the chain (every link and hash) and every checkpoint (signature, and that the entry it
 * names still has the hash it signed). A chain rewritten from some entry on, with its hashes
 * recomputed, passes the first check but not the second: the first bad entry is then named as the
 * one after the last checkpoint that still holds.
 */
export async function verifyAuditLog(deps: { store: Store; keyring: Keyring; clock: Clock }, pageSize = 1000): Promise<AuditReport> {
  // One head for both checks, read before either: what is appended meanwhile is for the next run.
  const head = await deps.store.auditHead();
  const chain = await verifyAuditChain(deps.store, pageSize, head);
  const keys = await loadAuditSigningKeys(deps.keyring, deps.store, deps.clock, false).catch((err: unknown) => {
    if (err instanceof TesseraError && err.code === 'DECRYPTION_FAILED') return undefined;
    throw err;
  });
  const cp = { checked: 0, lastSignedSeq: 0, unsignedEntries: 0 } as AuditReport['checkpoints'];
  let problem: { firstBadSeq: number; reason: string } | undefined;
  if (keys === undefined) {
    problem = { firstBadSeq: 1, reason: 'an audit signing key in the database does not decrypt under this keyring (it was replaced)' };
  }
  let after = 0;
  outer: while (problem === undefined) {
    const page = await deps.store.listAuditCheckpoints(after, pageSize);
    for (const c of page) {
      after = c.seq;
      const key = keys!.get(c.keyVersion);
      if (key === undefined || !verify(null, checkpointMessage(c), key.publicKey, Buffer.from(c.signature, 'base64url'))) {
        cp.badSignatureSeq = c.seq;
        problem = {
          firstBadSeq: cp.lastSignedSeq + 1,
          reason: `the checkpoint at entry ${c.seq} has a signature this keyring did not make`,
        };
        break outer;
      }
      // A checkpoint past the head read at the start either came with entries appended since
      // (then it is for the next run) or vouches for entries that are gone.
      if (c.seq > head.seq && (await deps.store.auditHead()).seq >= c.seq && (await deps.store.scanAudit(c.seq, 1))[0]?.seq === c.seq)
        break outer;
      const [entry] = await deps.store.scanAudit(c.seq, 1);
      if (entry === undefined || entry.seq !== c.seq || c.seq > head.seq) {
        problem = {
          firstBadSeq: Math.min(c.seq, head.seq + 1),
          reason: `entries were removed: a signed checkpoint vouches for entry ${c.seq}`,
        };
        break outer;
      }
      if (entry.hash !== c.hash) {
        problem = {
          firstBadSeq: cp.lastSignedSeq + 1,
          reason: `entries ${cp.lastSignedSeq + 1}–${c.seq} were rewritten with recomputed hashes: entry ${c.seq} no longer has the hash its signed checkpoint holds`,
        };
        break outer;
      }
      cp.checked++;
      cp.lastSignedSeq = c.seq;
    }
    if (page.length < pageSize) break;
  }
  cp.unsignedEntries = Math.max(0, head.seq - cp.lastSignedSeq);
  if (problem !== undefined && (chain.ok || problem.firstBadSeq < chain.firstBadSeq!)) {
    return {
      ok: false,
      checked: Math.min(chain.checked, problem.firstBadSeq - 1),
      firstBadSeq: problem.firstBadSeq,
      reason: problem.reason,
      checkpoints: cp,
    };
  }
  return { ...chain, checkpoints: cp };
}
