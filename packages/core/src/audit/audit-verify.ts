import type { AuditReport } from '@tessera/api';
import type { Clock } from '../clock.js';
import type { Keyring } from '../custody/envelope-keyring.js';
import { TesseraError } from '../errors.js';
import type { Store } from '../store/store.js';
import { verifyAuditChain } from './audit-chain.js';
import type { CheckpointPolicy } from './audit-checkpoints.js';
import { loadAuditSigningKeys } from './audit-signing-keys.js';
import type { AuditCheckpointRecord } from './audit-checkpoint-repos.js';
import { checkCheckpoint } from './checkpoint-signature.js';

export interface VerifyOptions {
  pageSize?: number;
  /** The checkpoint remembered outside the database (the checkpointer's pin): it must still be there. */
  pinned?: AuditCheckpointRecord | undefined;
  /**
   * The checkpoint policy: entries left unsigned for longer than `staleFactor` × `everyMs` (plus a
   * minute) make the log not ok — the checkpointer is not running, or checkpoints were deleted.
   */
  policy?: CheckpointPolicy | undefined;
  staleFactor?: number;
}

/**
 * Checks the chain (every link and hash) and every checkpoint: its signature, that the entry it
 * names still has the hash it signed, that the checkpoint it names as its predecessor is still
 * there (a gap), and that the checkpoint remembered outside the database is still there. With a
 * policy, entries waiting too long for a checkpoint are reported too. A chain rewritten from some
 * entry on, with its hashes recomputed, passes the first check but not the others: the first bad
 * entry is then named as the one after the last checkpoint that still holds.
 */
export async function verifyAuditLog(deps: { store: Store; keyring: Keyring; clock: Clock }, o: VerifyOptions = {}): Promise<AuditReport> {
  const pageSize = o.pageSize ?? 1000;
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
  const seen = new Map<number, string>();
  let after = 0;
  outer: while (problem === undefined) {
    const page = await deps.store.listAuditCheckpoints(after, pageSize);
    for (const c of page) {
      after = c.seq;
      const prev = await checkCheckpoint(c, keys!);
      if (prev === false) {
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
        problem = { firstBadSeq: cp.lastSignedSeq + 1, reason: rewritten(cp.lastSignedSeq + 1, c.seq, `its signed checkpoint`) };
        break outer;
      }
      if (prev !== undefined && prev !== null && seen.get(prev.seq) !== prev.hash) {
        cp.missingSeq = prev.seq;
        problem = {
          firstBadSeq: cp.lastSignedSeq + 1,
          reason: `a gap in the checkpoints: the one at entry ${c.seq} follows a checkpoint at entry ${prev.seq}, which is gone (checkpoints were deleted)`,
        };
        break outer;
      }
      seen.set(c.seq, c.hash);
      cp.checked++;
      cp.lastSignedSeq = c.seq;
    }
    if (page.length < pageSize) break;
  }
  const pin = o.pinned;
  if (problem === undefined && pin !== undefined && pin.seq > head.seq && (await deps.store.auditHead()).seq < pin.seq) {
    cp.missingSeq = pin.seq;
    problem = {
      firstBadSeq: head.seq + 1,
      reason: `entries were removed: the signed checkpoint remembered outside the database vouches for entry ${pin.seq}`,
    };
  }
  if (problem === undefined && pin !== undefined && pin.seq <= head.seq && seen.get(pin.seq) !== pin.hash) {
    const [entry] = await deps.store.scanAudit(pin.seq, 1);
    const before = Math.max(0, ...[...seen.keys()].filter((s) => s < pin.seq));
    cp.missingSeq = pin.seq;
    problem =
      entry?.seq === pin.seq && entry.hash !== pin.hash
        ? { firstBadSeq: before + 1, reason: rewritten(before + 1, pin.seq, 'the checkpoint remembered outside the database') }
        : {
            firstBadSeq: before + 1,
            reason: `the signed checkpoint at entry ${pin.seq}, remembered outside the database, is gone from it: checkpoints were deleted`,
          };
  }
  cp.unsignedEntries = Math.max(0, head.seq - cp.lastSignedSeq);
  if (problem === undefined && o.policy !== undefined && cp.unsignedEntries > 0) {
    const limitMs = o.policy.everyMs * (o.staleFactor ?? 2) + 60_000;
    const [oldest] = await deps.store.scanAudit(cp.lastSignedSeq + 1, 1);
    if (oldest !== undefined && deps.clock.now() - oldest.ts > limitMs) {
      problem = {
        firstBadSeq: cp.lastSignedSeq + 1,
        reason: `entries ${cp.lastSignedSeq + 1}–${head.seq} have waited over ${Math.round(limitMs / 1000)} s for a signed checkpoint (the policy signs every ${Math.round(o.policy.everyMs / 1000)} s): the checkpointer is not running, or checkpoints were deleted`,
      };
    }
  }
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

const rewritten = (from: number, to: number, by: string) =>
  `entries ${from}–${to} were rewritten with recomputed hashes: entry ${to} no longer has the hash ${by} holds`;
