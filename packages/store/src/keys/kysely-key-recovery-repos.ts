import type { KeyRecoveryRecord, KeyRecoveryRepos } from '@tessera/core';
import { KyselyHandle } from '../kysely-handle.js';
import { rowWhere } from '../rows.js';

/** The port of recoverable keys' ciphertexts over Kysely. */
export class KyselyKeyRecoveryRepos extends KyselyHandle implements KeyRecoveryRepos {
  async insertKeyRecovery(r: KeyRecoveryRecord): Promise<void> {
    await this.db.insertInto('key_recovery').values({ key_id: r.keyId, ciphertext: r.ciphertext, created_at: r.createdAt }).execute();
  }

  getKeyRecovery(keyId: string): Promise<KeyRecoveryRecord | undefined> {
    return rowWhere(this.db, 'key_recovery', { key_id: keyId }, (r) => ({
      keyId: r.key_id,
      ciphertext: r.ciphertext,
      createdAt: Number(r.created_at),
    }));
  }
}
