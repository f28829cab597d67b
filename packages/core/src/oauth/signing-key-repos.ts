import type { SigningKeyRecord } from './oauth-records.js';

/** Where the authorization server's signing keys are kept (private keys as keyring ciphertexts). */
export interface SigningKeyRepos {
  insertSigningKey(k: SigningKeyRecord): Promise<void>;
  /** Keys still published at `now` (expiresAt > now), oldest activation first. */
  listSigningKeys(now: number): Promise<SigningKeyRecord[]>;
  /** Moves a key's times (an emergency retirement, a successor taking over early); false when no such key. */
  rescheduleSigningKey(kid: string, times: SigningKeyTimes): Promise<boolean>;
}

export type SigningKeyTimes = Pick<SigningKeyRecord, 'activatesAt' | 'retiresAt' | 'expiresAt'>;
