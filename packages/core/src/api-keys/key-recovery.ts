import { appendAudit, type Actor } from '../audit/audit-chain.js';
import type { Clock } from '../clock.js';
import { TesseraError } from '../errors.js';
import type { Keyring } from '../custody/envelope-keyring.js';
import type { KeyRecord } from '../store/records.js';
import type { KeyRecoveryRepos } from './key-recovery-repos.js';
import type { Store } from '../store/store.js';

const aadOf = (keyId: string) => `key_recovery:${keyId}`;

/**
 * For keyspaces with `recoverable: true`, the plain key is also kept, encrypted under the
 * workspace's data key (docs/api-keys.md). Called by the key service inside the transaction that
 * creates the key.
 */
export async function sealRecoverableKey(tx: KeyRecoveryRepos, keyring: Keyring, record: KeyRecord, key: string): Promise<void> {
  const ciphertext = await keyring.encrypt(Buffer.from(key, 'utf8'), aadOf(record.id), { workspaceId: record.workspaceId });
  await tx.insertKeyRecovery({ keyId: record.id, ciphertext, createdAt: record.createdAt });
}

/** Reading a recoverable key back: permission `keys:recover` (checked by the caller), always audited. */
export class KeyRecovery {
  constructor(private readonly deps: { store: Store; keyring: Keyring; clock: Clock }) {}

  async recover(actor: Actor, keyId: string): Promise<{ keyId: string; key: string }> {
    // Audited in the transaction that reads the ciphertext; decrypted after the commit.
    const sealed = await this.deps.store.transaction(async (tx) => {
      const record = await tx.getKey(keyId);
      if (record === undefined || record.deletedAt !== null || record.workspaceId !== actor.workspaceId)
        throw new TesseraError('NOT_FOUND', 'No such key.');
      const row = await tx.getKeyRecovery(keyId);
      if (row === undefined)
        throw new TesseraError('CONFLICT', 'This key is not recoverable: its keyspace did not keep keys when it was created.');
      if (record.revokedAt !== null) throw new TesseraError('CONFLICT', 'A revoked key is not recovered.');
      await appendAudit(tx, this.deps.clock, actor, { action: 'key.recovered', target: keyId, details: { keyspaceId: record.keyspaceId } });
      return row;
    });
    const plain = await this.deps.keyring.decrypt(sealed.ciphertext, aadOf(keyId));
    const key = plain.toString('utf8');
    plain.fill(0);
    return { keyId, key };
  }
}
