import type { AnomalyStatus } from '@tessera/api';
import type { AuditAppend, AuditLink } from '../audit/audit-repos.js';
import type { AnomalyRecord } from './anomaly-records.js';

export interface AnomalyQuery {
  workspaceId: string;
  keyId?: string | undefined;
  since?: number | undefined;
  status?: AnomalyStatus | undefined;
  kind?: string | undefined;
  limit: number;
}

/** What changes on a stored anomaly: its status, its repeats, and what its policy did. */
export type AnomalyPatch = Partial<
  Pick<AnomalyRecord, 'status' | 'count' | 'lastSeenAt' | 'acknowledgedAt' | 'acknowledgedBy' | 'resolvedAt' | 'resolvedBy' | 'response'>
>;

/** Repeats of an open anomaly seen since the last bump. */
export interface AnomalyBump {
  id: string;
  count: number;
  lastSeenAt: number;
}

/** The storage port of anomalies: the detectors' findings and what was done about them. */
export interface AnomalyRepos {
  insertAnomaly(a: AnomalyRecord): Promise<void>;
  /**
   * Stores an anomaly with its audit entry as one write: on PostgreSQL one statement (the anomaly,
   * then the head locked, the entry numbered and hashed, the head moved; no BEGIN or COMMIT, so
   * the head is held for that statement only), on SQLite one local transaction; inside a
   * transaction, part of it. Nothing is written when either part fails.
   */
  recordAnomaly(a: AnomalyRecord, audit: AuditAppend): Promise<AuditLink>;
  getAnomaly(id: string): Promise<AnomalyRecord | undefined>;
  /** A workspace's anomalies, newest first. */
  listAnomalies(q: AnomalyQuery): Promise<AnomalyRecord[]>;
  updateAnomaly(id: string, patch: AnomalyPatch): Promise<void>;
  /**
   * Adds repeats to anomalies: each one's count grows, and its last time seen becomes the later of
   * the two. Bumps of one anomaly add up. One statement for all of them (per thousand), so nodes do
   * not lose each other's counts, and a flood of open findings seen again is one write, not one each.
   */
  bumpAnomalies(bumps: readonly AnomalyBump[]): Promise<void>;
}
