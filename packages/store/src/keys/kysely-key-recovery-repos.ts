import type { KeyRecoveryRecord, KeyRecoveryRepos } from '@tessera/core';
import { KyselyHandle } from '../kysely-handle.js';
import { numberColumn, RecordColumns } from '../record-columns.js';
import { insertRow, rowWhere } from '../rows.js';

/** The columns of `key_recovery`, field by field. */
const COLUMNS = new RecordColumns<KeyRecoveryRecord>({ keyId: 'key_id', ciphertext: 'ciphertext', createdAt: numberColumn('created_at') });

/** The port of recoverable keys' ciphertexts over Kysely. */
export class KyselyKeyRecoveryRepos extends KyselyHandle implements KeyRecoveryRepos {
  async insertKeyRecovery(r: KeyRecoveryRecord): Promise<void> {
    await insertRow(this.db, 'key_recovery', COLUMNS.write(r));
  }

  getKeyRecovery(keyId: string): Promise<KeyRecoveryRecord | undefined> {
    return rowWhere(this.db, 'key_recovery', { key_id: keyId }, (row) => COLUMNS.read(row));
  }
}
