import { verify } from 'node:crypto';
import { CompactSign, compactVerify } from 'jose';
import { canonicalJson } from './audit-chain.js';
import type { AuditCheckpointRecord } from './audit-checkpoint-repos.js';
import type { AuditSigningKey } from './audit-signing-keys.js';

/** The checkpoint a checkpoint names as its predecessor; `null` for the first one. */
export type PreviousCheckpoint = { seq: number; hash: string } | null;

export const CHECKPOINT_JWS_TYPE = 'tessera-audit-checkpoint';

/** The bytes a format-v1 checkpoint signature covers. */
export function checkpointMessage(c: Pick<AuditCheckpointRecord, 'seq' | 'hash' | 'ts'>): Buffer {
  return Buffer.from(
    canonicalJson({ format: 'tessera-audit-checkpoint/v1', seq: c.seq, hash: c.hash, ts: new Date(c.ts).toISOString() }),
    'utf8',
  );
}

/** The payload of a format-v2 checkpoint: the head, and the checkpoint before it (so a deleted one leaves a gap). */
export function checkpointPayload(c: Pick<AuditCheckpointRecord, 'seq' | 'hash' | 'ts'>, prev: PreviousCheckpoint): Buffer {
  return Buffer.from(
    canonicalJson({ format: 'tessera-audit-checkpoint/v2', seq: c.seq, hash: c.hash, ts: new Date(c.ts).toISOString(), prev }),
    'utf8',
  );
}

export async function signCheckpoint(
  head: { seq: number; hash: string },
  ts: number,
  prev: PreviousCheckpoint,
  key: AuditSigningKey,
): Promise<AuditCheckpointRecord> {
  const c = { seq: head.seq, hash: head.hash, ts, keyVersion: key.version };
  const signature = await new CompactSign(checkpointPayload(c, prev))
    .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: CHECKPOINT_JWS_TYPE })
    .sign(key.privateKey);
  return { ...c, signature };
}

/**
 * Checks a checkpoint's signature under the keyring's keys, and that what it signed is what its
 * row says. Answers the predecessor it names (`undefined` for format v1, which names none), or
 * `false` when the signature is not one these keys made over this row.
 */
export async function checkCheckpoint(
  c: AuditCheckpointRecord,
  keys: ReadonlyMap<number, AuditSigningKey>,
): Promise<PreviousCheckpoint | undefined | false> {
  const key = keys.get(c.keyVersion);
  if (key === undefined) return false;
  if (!c.signature.includes('.')) {
    return verify(null, checkpointMessage(c), key.publicKey, Buffer.from(c.signature, 'base64url')) ? undefined : false;
  }
  try {
    const { payload, protectedHeader } = await compactVerify(c.signature, key.publicKey, { algorithms: ['EdDSA'] });
    if (protectedHeader.kid !== key.kid || protectedHeader.typ !== CHECKPOINT_JWS_TYPE) return false;
    const p = JSON.parse(Buffer.from(payload).toString('utf8')) as { prev?: unknown };
    const prev = p.prev;
    if (!isPrevious(prev)) return false;
    // The row must say exactly what was signed; canonical JSON makes the comparison byte for byte.
    return Buffer.from(payload).equals(checkpointPayload(c, prev)) ? prev : false;
  } catch {
    return false;
  }
}

function isPrevious(v: unknown): v is PreviousCheckpoint {
  if (v === null) return true;
  if (typeof v !== 'object' || Object.keys(v as object).length !== 2) return false;
  const { seq, hash } = v as { seq?: unknown; hash?: unknown };
  return Number.isSafeInteger(seq) && (seq as number) > 0 && typeof hash === 'string' && /^[0-9a-f]{64}$/.test(hash);
}
