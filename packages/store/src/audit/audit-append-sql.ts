import { createHash } from 'node:crypto';
import type { AuditAppend, AuditLink, AuditRecord } from '@tessera/core';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../schema.js';

/** Milliseconds since the statement began (PostgreSQL: since the database received it), as a double. */
export const SINCE_STATEMENT_MS = sql<number>`(extract(epoch from clock_timestamp() - statement_timestamp()) * 1000)::float8`;

/**
 * The common table expressions that append an audit entry on PostgreSQL: `head` locks the chain
 * head (only when `when` holds: the change the entry records wrote something), `entry` writes the
 * entry with the next seq and its hash (SHA-256 of the previous hash and the canonical entry, as
 * `auditHash` computes it), `moved` moves the head and returns `seq`, `prev_hash`, `hash` and
 * `at_ms` (when the head moved, in milliseconds since the statement began). The head is held from
 * here to the commit, while every other audited change of the cluster waits for it, so the
 * statement around these should end at once: the audit is the last thing it does.
 */
export function auditAppendCtes({ entry: e, canonical }: AuditAppend, when: RawBuilder<unknown> = sql`true`): RawBuilder<unknown> {
  return sql`
    head as (select seq + 1 as seq, hash as prev_hash from audit_head where id = 1 and ${when} for update),
    entry as (
      insert into audit_log (seq, id, ts, workspace_id, actor, action, target, ip, details, prev_hash, hash)
      select seq, ${e.id}, ${e.ts}, ${e.workspaceId}, ${e.actor}, ${e.action}, ${e.target}, ${e.ip}, ${JSON.stringify(e.details)}, prev_hash,
        encode(sha256(convert_to(prev_hash || ${canonical.before}::text || seq::text || ${canonical.after}::text, 'UTF8')), 'hex')
      from head
      returning seq, prev_hash, hash
    ),
    moved as (
      update audit_head set seq = entry.seq, hash = entry.hash from entry where audit_head.id = 1
      returning entry.seq, entry.prev_hash, entry.hash, ${SINCE_STATEMENT_MS} as at_ms
    )`;
}

/**
 * SQLite, inside a transaction (which holds the database's one write lock): reads the head, writes
 * the entry numbered and hashed as `auditHash` does, and moves the head.
 */
export async function appendAuditLocally(db: Kysely<Database>, { entry: e, canonical }: AuditAppend): Promise<AuditLink> {
  const head = await db.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirstOrThrow();
  const seq = Number(head.seq) + 1;
  const hash = createHash('sha256').update(head.hash).update(canonical.before).update(String(seq)).update(canonical.after).digest('hex');
  await db
    .insertInto('audit_log')
    .values(auditRow({ ...e, seq, prevHash: head.hash, hash }))
    .execute();
  await db.updateTable('audit_head').set({ seq, hash }).where('id', '=', 1).execute();
  return { seq, prevHash: head.hash, hash };
}

/** An audit entry as its row. */
export function auditRow(e: AuditRecord) {
  return {
    seq: e.seq,
    id: e.id,
    ts: e.ts,
    workspace_id: e.workspaceId,
    actor: e.actor,
    action: e.action,
    target: e.target,
    ip: e.ip,
    details: JSON.stringify(e.details),
    prev_hash: e.prevHash,
    hash: e.hash,
  };
}
