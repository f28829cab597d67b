import type { AnomalyStatus } from '@tessera/api';
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

/** The storage port of anomalies: the detectors' findings and what was done about them. */
export interface AnomalyRepos {
  insertAnomaly(a: AnomalyRecord): Promise<void>;
  getAnomaly(id: string): Promise<AnomalyRecord | undefined>;
  /** A workspace's anomalies, newest first. */
  listAnomalies(q: AnomalyQuery): Promise<AnomalyRecord[]>;
  updateAnomaly(id: string, patch: AnomalyPatch): Promise<void>;
  /** Adds repeats to an anomaly (a single statement, so nodes do not lose each other's counts). */
  bumpAnomaly(id: string, count: number, lastSeenAt: number): Promise<void>;
}
