import type { IdempotencyRecord, IdempotencyRepos } from '@tessera/core';
import type { Kysely, Selectable } from 'kysely';
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

type Row = Selectable<IdempotencyTables['idempotency_keys']>;

function toRow(r: IdempotencyRecord): Row {
  return {
    principal: r.principal,
    key: r.key,
    fingerprint: r.fingerprint,
    claim: r.claim,
    created_at: r.createdAt,
    expires_at: r.expiresAt,
    status: r.status,
    response: r.response,
  };
}

function fromRow(r: Row): IdempotencyRecord {
  return {
    principal: r.principal,
    key: r.key,
    fingerprint: r.fingerprint,
    claim: r.claim,
    createdAt: Number(r.created_at),
    expiresAt: Number(r.expires_at),
    status: r.status === null ? null : Number(r.status),
    response: r.response,
  };
}

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
