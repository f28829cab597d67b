import { SEVERITIES, type AnomalyKind, type AnomalyStatus, type Severity } from '@tessera/api';

/** Rank of a severity, from 0 (`low`) up; the names are in @tessera/api. */
export const severityRank = (s: Severity): number => SEVERITIES.indexOf(s);

/** A finding before it is stored: what a detector returns. */
export interface AnomalyDraft {
  kind: AnomalyKind;
  severity: Severity;
  workspaceId: string;
  keyId: string | null;
  keyspaceId: string | null;
  /** What the finding is about: a key id, an address, a network. */
  subject: string;
  /** One sentence with the numbers that triggered it. */
  explanation: string;
  details: Record<string, unknown>;
  /** Time of the first event that made it (the first malicious request, as far as we know). */
  firstEventAt: number;
  /** When it was detected. */
  detectedAt: number;
  /** Findings with the same fingerprint within the cool-down are counted on the first one. */
  fingerprint: string;
}

export interface AnomalyRecord extends AnomalyDraft {
  id: string;
  status: AnomalyStatus;
  /** How many times it was seen (repeats within the cool-down count here). */
  count: number;
  lastSeenAt: number;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  resolvedAt: number | null;
  resolvedBy: string | null;
  /** What the keyspace policy did: `suspended` with the suspension's id, or nothing. */
  response: { action: 'suspended'; suspensionId: string } | null;
}

/** How a keyspace answers anomalies and stale keys. */
export interface KeyspacePolicy {
  keyspaceId: string;
  workspaceId: string;
  /** `alert`: record and notify. `suspend`: also disable the key (audited, undoable). */
  anomalyResponse: 'alert' | 'suspend';
  /** The least severity that suspends, with `suspend`. */
  suspendMinSeverity: Severity;
  /** Keys unused this many days are scheduled to expire (null: never). */
  autoExpireUnusedDays: number | null;
  /** Notice given before such a key expires; a use within it cancels the expiry. */
  autoExpireNoticeDays: number;
  /** A `key.expiring` webhook goes out this many days before a key expires. */
  expiringNoticeDays: number;
  /** A `key.credits_low` webhook goes out when credits fall to this (null: never). */
  creditsLowThreshold: number | null;
  /** No key may be set to expire later than this many days from now, nor never (null: no limit). */
  maxKeyLifetimeDays: number | null;
  /** A key is due for rotation this many days after it was made (null: no schedule). */
  rotationIntervalDays: number | null;
  /** A `key.rotation_due` webhook goes out this many days before a key is due. */
  rotationNoticeDays: number;
  /** A key not rolled by its due date keeps working this many days more, then expires. */
  rotationGraceDays: number;
  /** Detection thresholds are divided by this: 2 fires at half the usual excess, 0.5 at twice it. */
  detectionSensitivity: number;
  /** Hours of the day (UTC, 0–23) in which any use of the keyspace's keys is suspicious. */
  quietHours: number[];
  /** Networks (CIDRs or addresses) that are the keyspace's own: never a new network, country or travel. */
  knownNetworks: string[];
  updatedAt: number;
}

export const DEFAULT_POLICY: Omit<KeyspacePolicy, 'keyspaceId' | 'workspaceId' | 'updatedAt'> = {
  anomalyResponse: 'alert',
  suspendMinSeverity: 'high',
  autoExpireUnusedDays: null,
  autoExpireNoticeDays: 14,
  expiringNoticeDays: 7,
  creditsLowThreshold: null,
  maxKeyLifetimeDays: null,
  rotationIntervalDays: null,
  rotationNoticeDays: 7,
  rotationGraceDays: 7,
  detectionSensitivity: 1,
  quietHours: [],
  knownNetworks: [],
};

/** A key disabled by a policy (or a leak report), and how to undo it. */
export interface SuspensionRecord {
  id: string;
  workspaceId: string;
  keyId: string;
  anomalyId: string | null;
  reason: string;
  suspendedAt: number;
  /** The key's `enabled` flag before, restored by the undo. */
  wasEnabled: boolean;
  undoneAt: number | null;
  undoneBy: string | null;
}
