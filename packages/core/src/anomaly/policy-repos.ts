import type { KeyspacePolicy } from './anomaly-records.js';

/** The storage port of keyspace policies: how each keyspace answers anomalies and stale keys. */
export interface PolicyRepos {
  /** A keyspace's policy; undefined while the defaults apply. */
  getPolicy(keyspaceId: string): Promise<KeyspacePolicy | undefined>;
  listPolicies(): Promise<KeyspacePolicy[]>;
  /** Creates or replaces a keyspace's policy. */
  putPolicy(p: KeyspacePolicy): Promise<void>;
}
