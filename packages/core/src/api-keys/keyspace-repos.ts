import type { GatewayRoutes } from '../gateway/route-rules.js';
import type { KeyspaceRecord } from '../store/records.js';

/** The storage port of workspaces and their keyspaces. */
export interface KeyspaceRepos {
  insertWorkspace(ws: { id: string; name: string; createdAt: number }): Promise<void>;
  insertKeyspace(ks: KeyspaceRecord): Promise<void>;
  getKeyspace(id: string): Promise<KeyspaceRecord | undefined>;
  /** A workspace's keyspaces, by id. */
  listKeyspaces(workspaceId: string): Promise<KeyspaceRecord[]>;
  /** A keyspace's gateway routes; undefined while none are set (or there is no such keyspace). */
  getGatewayRoutes(keyspaceId: string): Promise<GatewayRoutes | undefined>;
  /** Replaces a keyspace's gateway routes; false when there is no such keyspace. */
  setGatewayRoutes(keyspaceId: string, routes: GatewayRoutes): Promise<boolean>;
}
