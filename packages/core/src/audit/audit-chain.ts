import { createHash } from 'node:crypto';
import type { Clock } from '../clock.js';
import { newId } from '../ids.js';
import type { AuditRecord } from '../store/records.js';
import type { AuditAppend, AuditRepos } from './audit-repos.js';
import type { AuditAction } from '@tessera/api';

export const GENESIS_HASH = '0'.repeat(64);

/** Who did something, and from where. */
export interface Actor {
  /** `root_key:rk_…`, `user:…`, `system`. */
  id: string;
  workspaceId: string | null;
  ip: string | null;
}

export interface AuditDraft {
  action: AuditAction;
  target: string | null;
  /** Never a secret: ids, names, attribute changes. */
  details?: Record<string, unknown>;
}

/** JSON with keys sorted at every level, so the same entry always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/**
 * The canonical form of an entry (as `auditHash` hashes it) cut around its seq, for a store that
 * numbers the entry itself: `before` + seq + `after`. The top-level seq is the last `"seq":`
 * followed by `,"target":` (keys are sorted; anything nested sits in `details`, before it).
 */
export function canonicalAroundSeq(entry: Omit<AuditRecord, 'seq' | 'prevHash' | 'hash'>): { before: string; after: string } {
  const marker = '"seq":0,"target":';
  const whole = canonicalEntry({ ...entry, seq: 0 });
  const at = whole.lastIndexOf(marker);
  return { before: whole.slice(0, at + '"seq":'.length), after: whole.slice(at + '"seq":0'.length) };
}

function canonicalEntry(entry: Omit<AuditRecord, 'prevHash' | 'hash'>): string {
  return canonicalJson({
    seq: entry.seq,
    id: entry.id,
    ts: new Date(entry.ts).toISOString(),
    workspaceId: entry.workspaceId,
    actor: entry.actor,
    action: entry.action,
    target: entry.target,
    ip: entry.ip,
    details: entry.details,
  });
}

/** `SHA-256(previous hash ‖ canonical entry)`, hex (docs/key-custody.md, the audit log). */
export function auditHash(prevHash: string, entry: Omit<AuditRecord, 'prevHash' | 'hash'>): string {
  return createHash('sha256').update(prevHash).update(canonicalEntry(entry)).digest('hex');
}

/** An entry for a store to number, hash and append in the write of the change it records. */
export function auditAppend(clock: Clock, actor: Actor, draft: AuditDraft): AuditAppend {
  const entry = {
    id: newId('audit'),
    ts: clock.now(),
    workspaceId: actor.workspaceId,
    actor: actor.id,
    action: draft.action,
    target: draft.target,
    ip: actor.ip,
    details: draft.details ?? {},
  };
  return { entry, canonical: canonicalAroundSeq(entry) };
}

/** Appends one entry to the chain. Call it inside the transaction of the change it records. */
export async function appendAudit(tx: AuditRepos, clock: Clock, actor: Actor, draft: AuditDraft): Promise<AuditRecord> {
  const { entry, canonical } = auditAppend(clock, actor, draft);
  // A store that numbers and hashes the entry in the statement that appends it (PostgreSQL).
  if (tx.appendAuditAround !== undefined) return { ...entry, ...(await tx.appendAuditAround(entry, canonical)) };
  const head = await tx.auditHead();
  const base = { ...entry, seq: head.seq + 1 };
  const record: AuditRecord = { ...base, prevHash: head.hash, hash: auditHash(head.hash, base) };
  await tx.appendAudit(record);
  return record;
}

export interface ChainReport {
  ok: boolean;
  checked: number;
  /** The first entry that was changed, or where one was removed or reordered. */
  firstBadSeq?: number;
  reason?: string;
}

/**
 * Recomputes the chain, in pages, and names the first entry that does not fit. The chain is
 * checked up to the head as read first (`head`, or read here): entries appended while the check
 * runs belong to the next check, and are not mistaken for a head that moved past a shorter log.
 */
export async function verifyAuditChain(
  store: Pick<AuditRepos, 'scanAudit' | 'auditHead'>,
  pageSize = 1000,
  head?: { seq: number; hash: string },
): Promise<ChainReport> {
  const until = head ?? (await store.auditHead());
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let checked = 0;
  scan: while (expectedSeq <= until.seq) {
    const page = await store.scanAudit(expectedSeq, pageSize);
    for (const e of page) {
      if (expectedSeq > until.seq) break scan; // the rest was appended after the head was read
      if (e.seq !== expectedSeq) return { ok: false, checked, firstBadSeq: expectedSeq, reason: 'entry missing' };
      if (e.prevHash !== prevHash) return { ok: false, checked, firstBadSeq: e.seq, reason: 'link to the previous entry broken' };
      const { prevHash: _p, hash: _h, ...body } = e;
      if (auditHash(prevHash, body) !== e.hash) return { ok: false, checked, firstBadSeq: e.seq, reason: 'entry changed' };
      prevHash = e.hash;
      expectedSeq++;
      checked++;
    }
    if (page.length < pageSize) break;
  }
  if (checked !== until.seq || prevHash !== until.hash) {
    return { ok: false, checked, firstBadSeq: checked + 1, reason: 'entries removed from the end' };
  }
  return { ok: true, checked };
}
