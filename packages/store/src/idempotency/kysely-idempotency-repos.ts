import type { IdempotencyRecord, IdempotencyRepos } from '@tessera/core';
import type { Kysely } from 'kysely';
import { nullableNumberColumn, numberColumn, RecordColumns } from '../record-columns.js';
import { insertIfAbsent, rowWhere, wroteOne } from '../rows.js';

/** The table of idempotency records (migration 0013). */
export interface IdempotencyTables {
  idempotency_keys: {
    principal: string;
    key: string;
    fingerprint: string;
    claim: string;
    created_at: number;
    expires_at: number;
    status: number | null;
    response: string | null;
  };
}

/** The columns of `idempotency_keys`, field by field. */
const COLUMNS = new RecordColumns<IdempotencyRecord>({
  principal: 'principal',
  key: 'key',
  fingerprint: 'fingerprint',
  claim: 'claim',
  createdAt: numberColumn('created_at'),
  expiresAt: numberColumn('expires_at'),
  status: nullableNumberColumn('status'),
  response: 'response',
});
const toRow = (r: IdempotencyRecord) => COLUMNS.write(r) as IdempotencyTables['idempotency_keys'];
const fromRow = (row: object) => COLUMNS.read(row);

/** Idempotency records over Kysely, SQLite and PostgreSQL alike; the primary key decides races between nodes. */
export class KyselyIdempotencyRepos implements IdempotencyRepos {
  constructor(private readonly db: Kysely<IdempotencyTables>) {}

  claimIdempotencyKey(record: IdempotencyRecord): Promise<boolean> {
    return insertIfAbsent(this.db, 'idempotency_keys', toRow(record), ['principal', 'key']);
  }

  getIdempotencyKey(principal: string, key: string): Promise<IdempotencyRecord | undefined> {
    return rowWhere(this.db, 'idempotency_keys', { principal, key }, fromRow);
  }

  async reclaimIdempotencyKey(record: IdempotencyRecord, now: number, abandonedBefore: number): Promise<boolean> {
    const { principal: _p, key: _k, ...fields } = toRow(record);
    const r = await this.db
      .updateTable('idempotency_keys')
      .set(fields)
      .where('principal', '=', record.principal)
      .where('key', '=', record.key)
      .where((eb) => eb.or([eb('expires_at', '<=', now), eb.and([eb('status', 'is', null), eb('created_at', '<=', abandonedBefore)])]))
      .executeTakeFirst();
    return wroteOne(r);
  }

  async completeIdempotencyKey(principal: string, key: string, claim: string, status: number, response: string): Promise<boolean> {
    const r = await this.db
      .updateTable('idempotency_keys')
      .set({ status, response })
      .where('principal', '=', principal)
      .where('key', '=', key)
      .where('claim', '=', claim)
      .where('status', 'is', null)
      .executeTakeFirst();
    return wroteOne(r);
  }

  async releaseIdempotencyKey(principal: string, key: string, claim: string): Promise<void> {
    await this.db
      .deleteFrom('idempotency_keys')
      .where('principal', '=', principal)
      .where('key', '=', key)
      .where('claim', '=', claim)
      .where('status', 'is', null)
      .execute();
  }

  async sweepIdempotencyKeys(now: number): Promise<number> {
    const r = await this.db.deleteFrom('idempotency_keys').where('expires_at', '<=', now).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
