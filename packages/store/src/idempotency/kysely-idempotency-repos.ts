import type { IdempotencyRecord, IdempotencyRepos } from '@tessera/core';
import type { Kysely, Selectable } from 'kysely';

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

  async claimIdempotencyKey(record: IdempotencyRecord): Promise<boolean> {
    const r = await this.db
      .insertInto('idempotency_keys')
      .values(toRow(record))
      .onConflict((oc) => oc.columns(['principal', 'key']).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async getIdempotencyKey(principal: string, key: string): Promise<IdempotencyRecord | undefined> {
    const row = await this.db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('principal', '=', principal)
      .where('key', '=', key)
      .executeTakeFirst();
    return row && fromRow(row);
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
    return Number(r.numUpdatedRows) === 1;
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
    return Number(r.numUpdatedRows) === 1;
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
