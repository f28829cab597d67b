import type { RootKeyRecord } from '../store/records.js';

/** The storage port of root keys, the credentials of the management API. */
export interface RootKeyRepos {
  insertRootKey(rk: RootKeyRecord): Promise<void>;
  findRootKeyByHash(hash: string): Promise<RootKeyRecord | undefined>;
  getRootKey(id: string): Promise<RootKeyRecord | undefined>;
  /** A workspace's root keys, by id. */
  listRootKeys(workspaceId: string): Promise<RootKeyRecord[]>;
  /** Writes the given fields (none: nothing changes). */
  updateRootKey(
    id: string,
    patch: Partial<Pick<RootKeyRecord, 'revokedAt' | 'expiresAt' | 'rolledToId' | 'hash' | 'pepperVersion' | 'otherWorkspaceIds'>>,
  ): Promise<void>;
  /** Compare-and-set for a roll: only a live root key not rolled already; false otherwise. */
  markRootKeyRolled(id: string, o: { rolledToId: string; expiresAt: number }): Promise<boolean>;
  /** Last-used times from the usage batch; a time older than the stored one is ignored. */
  touchRootKeys(used: readonly { id: string; lastUsedAt: number }[]): Promise<void>;
  /** How many root keys the instance has, in every workspace. */
  countRootKeys(): Promise<number>;
}
