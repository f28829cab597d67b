import type { AuditAppend, KeyChange, KeyChanged } from '@tessera/core';
import { sql, type Kysely } from 'kysely';
import { appendAuditLocally, auditAppendCtes, SINCE_STATEMENT_MS } from '../audit/audit-append-sql.js';
import { KyselyHandle } from '../kysely-handle.js';
import { retrying } from '../retry-transaction.js';
import type { Database } from '../schema.js';
import { keyFromRow, keyToRow } from './key-rows.js';

/** A key's change written with its audit entry, over Kysely (`KeyRepos.changeKey`). */
export class KyselyKeyChanges extends KyselyHandle {
  changeKey(change: KeyChange, audit: AuditAppend): Promise<KeyChanged | undefined> {
    const db = this.db;
    if (this.dialectName === 'postgres')
      return this.inTransaction ? inOneStatement(db, change, audit) : retrying(() => inOneStatement(db, change, audit));
    // SQLite: a local transaction costs no round trip.
    return this.inTransaction ? inTransaction(db, change, audit) : db.transaction().execute((trx) => inTransaction(trx, change, audit));
  }
}

/** The key's update, returning the row as it is now; nothing when there is no such key. */
function update(db: Kysely<Database>, c: KeyChange) {
  let query = db
    .updateTable('keys')
    .set({ ...keyToRow(c.set), ...(c.set.credits !== undefined && { version: sql<number>`version + 1` }) })
    .where('id', '=', c.id)
    .where('workspace_id', '=', c.workspaceId)
    .where('deleted_at', 'is', null);
  if (c.unlessRevoked === true) query = query.where('revoked_at', 'is', null);
  return query.returningAll();
}

/**
 * PostgreSQL: the update, the forgotten expiry and the audit append in one statement, a
 * transaction of its own when it runs alone (no BEGIN or COMMIT round trip). The key's row is
 * locked first, then the audit head (the order every audited change takes them in), and the head
 * only when the key was changed. Where a row was changed by a transaction that committed after the
 * statement began, PostgreSQL re-reads its newest version (READ COMMITTED): a key revoked meanwhile
 * is not revoked twice, and the entry follows the newest head.
 */
async function inOneStatement(db: Kysely<Database>, c: KeyChange, audit: AuditAppend): Promise<KeyChanged | undefined> {
  const { rows } = await sql<
    Row & { written_ms: number; audit_seq: string | number; audit_prev_hash: string; audit_hash: string; at_ms: number }
  >`
    with changed as (${update(db, c).returning(SINCE_STATEMENT_MS.as('written_ms'))}),
    forgot as (delete from monitoring_notices where kind = 'auto_expire' and subject = (select id from changed)),
    ${auditAppendCtes(audit, sql`exists (select 1 from changed)`)}
    select changed.*, moved.seq as audit_seq, moved.prev_hash as audit_prev_hash, moved.hash as audit_hash, moved.at_ms
    from changed cross join moved`.execute(db);
  const r = rows[0];
  if (r === undefined) return undefined;
  const { written_ms, audit_seq, audit_prev_hash, audit_hash, at_ms, ...row } = r;
  return {
    key: keyFromRow(row),
    audit: { seq: Number(audit_seq), prevHash: audit_prev_hash, hash: audit_hash },
    phases: { writeMs: written_ms, auditMs: at_ms - written_ms },
  };
}

type Row = Parameters<typeof keyFromRow>[0];

/** SQLite, inside a transaction (which holds the database's one write lock): the same writes, one after another. */
async function inTransaction(db: Kysely<Database>, c: KeyChange, audit: AuditAppend): Promise<KeyChanged | undefined> {
  const started = performance.now();
  const row = await update(db, c).executeTakeFirst();
  if (row === undefined) return undefined;
  await sql`delete from monitoring_notices where kind = 'auto_expire' and subject = ${c.id}`.execute(db);
  const written = performance.now();
  const link = await appendAuditLocally(db, audit);
  return {
    key: keyFromRow(row),
    audit: link,
    phases: { writeMs: written - started, auditMs: performance.now() - written },
  };
}
