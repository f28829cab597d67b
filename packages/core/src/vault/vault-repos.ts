/** A secret of the vault; its value lives, encrypted, in its versions. */
export interface SecretRecord {
  id: string;
  workspaceId: string;
  name: string;
  currentVersion: number;
  /** When the secret should be rotated by (epoch ms), if anyone said. */
  rotateBy: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface SecretVersionRecord {
  secretId: string;
  version: number;
  /** Keyring ciphertext bound to `secret:<secretId>:<version>`. */
  ciphertext: string;
  createdAt: number;
  /** The actor id that wrote it. */
  createdBy: string;
}

/** The vault's storage port. */
export interface VaultRepos {
  /** With `lock`, the row stays locked until the transaction ends (PostgreSQL). */
  getSecret(workspaceId: string, name: string, options?: { lock?: boolean }): Promise<SecretRecord | undefined>;
  listSecrets(workspaceId: string): Promise<SecretRecord[]>;
  insertSecret(secret: SecretRecord): Promise<void>;
  updateSecret(id: string, patch: { currentVersion?: number; rotateBy?: number | null; updatedAt: number }): Promise<void>;
  insertSecretVersion(version: SecretVersionRecord): Promise<void>;
  getSecretVersion(secretId: string, version: number): Promise<SecretVersionRecord | undefined>;
  listSecretVersions(secretId: string): Promise<{ version: number; createdAt: number }[]>;
  /** Deletes the secret and every version it kept; returns how many versions were destroyed. */
  deleteSecret(id: string): Promise<number>;
}
