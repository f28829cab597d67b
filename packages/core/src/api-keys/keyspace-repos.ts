import type { KeyspaceRecord } from '../store/records.js';

/** The storage port of workspaces and their keyspaces. */
export interface KeyspaceRepos {
  insertWorkspace(ws: { id: string; name: string; createdAt: number }): Promise<void>;
  insertKeyspace(ks: KeyspaceRecord): Promise<void>;
  getKeyspace(id: string): Promise<KeyspaceRecord | undefined>;
  /** A workspace's keyspaces, by id. */
  listKeyspaces(workspaceId: string): Promise<KeyspaceRecord[]>;
}
