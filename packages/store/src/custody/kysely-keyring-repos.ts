import type { KeyringRepos, PepperInput, WrappedKeyRecord } from '@tessera/core';
import type { Selectable } from 'kysely';
import { KyselyHandle } from '../kysely-handle.js';
import { insertIfAbsent, wroteOne } from '../rows.js';
import type { Database } from '../schema.js';

/** The keyring's port over Kysely: keys wrapped by the KEK, never a key in the clear. */
export class KyselyKeyringRepos extends KyselyHandle implements KeyringRepos {
  async listWrappedKeys(
    q: { scope?: string | undefined; purpose?: WrappedKeyRecord['purpose'] | undefined } = {},
  ): Promise<WrappedKeyRecord[]> {
    let query = this.db.selectFrom('keyring_keys').selectAll();
    if (q.scope !== undefined) query = query.where('scope', '=', q.scope);
    if (q.purpose !== undefined) query = query.where('purpose', '=', q.purpose);
    return (await query.orderBy('scope').orderBy('purpose').orderBy('version').execute()).map(wrappedKeyFromRow);
  }

  insertWrappedKey(k: WrappedKeyRecord): Promise<boolean> {
    const row = {
      id: k.id,
      scope: k.scope,
      purpose: k.purpose,
      version: k.version,
      kek_version: k.kekVersion,
      wrapped: k.wrapped,
      created_at: k.createdAt,
      hmac_input: k.hmacInput ?? null,
    };
    return insertIfAbsent(this.db, 'keyring_keys', row, ['scope', 'purpose', 'version']);
  }

  async rewrapKey(id: string, fromKekVersion: number, kekVersion: number, wrapped: string): Promise<boolean> {
    const r = await this.db
      .updateTable('keyring_keys')
      .set({ kek_version: kekVersion, wrapped })
      .where('id', '=', id)
      .where('kek_version', '=', fromKekVersion)
      .executeTakeFirst();
    return wroteOne(r);
  }
}

function wrappedKeyFromRow(r: Selectable<Database['keyring_keys']>): WrappedKeyRecord {
  return {
    id: r.id,
    scope: r.scope,
    purpose: r.purpose as WrappedKeyRecord['purpose'],
    version: r.version,
    kekVersion: r.kek_version,
    wrapped: r.wrapped,
    createdAt: Number(r.created_at),
    ...(r.hmac_input !== null && { hmacInput: r.hmac_input as PepperInput }),
  };
}
