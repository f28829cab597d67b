/**
 * The answers of the monitoring operations (analytics, anomalies, suspensions, keyspace policies,
 * hygiene, leak reports, webhooks). Tessera's OpenAPI document describes their inputs but not yet
 * their answers, so these are written by hand from the server's wire views; the SDK's tests
 * compare every field of them with real answers. Times are RFC 3339 strings.
 */

/** A verification outcome, as `POST /v1/keys/verify` answers it. */
export type VerifyOutcome =
  | 'VALID'
  | 'MALFORMED'
  | 'NOT_FOUND'
  | 'EXPIRED'
  | 'REVOKED'
  | 'DISABLED'
  | 'RATE_LIMITED'
  | 'USAGE_EXCEEDED'
  | 'INSUFFICIENT_SCOPE'
  | 'IP_NOT_ALLOWED';

/** Verification counts of one time bucket (or of the whole range, without `time`). */
export interface VerificationCounts {
  total: number;
  valid: number;
  /** Credits spent. */
  cost: number;
  /** Count per outcome, only outcomes that occurred. */
  outcomes: Partial<Record<VerifyOutcome, number>>;
}

/** `GET /v1/analytics/verifications`: a time series from the roll-ups. */
export interface VerificationSeries {
  granularity: 'minute' | 'hour' | 'day';
  from: string;
  to: string;
  /** What was counted: one key, owner or keyspace, or the whole workspace. */
  dimension: 'key' | 'owner' | 'keyspace' | 'workspace';
  /** The key, owner or keyspace id (the workspace id for `workspace`). */
  subject: string;
  totals: VerificationCounts;
  /** One point per bucket from `from` to `to`, empty buckets included. */
  series: Array<VerificationCounts & { time: string }>;
}

/** `GET /v1/analytics/top`: the subjects with the most verifications. */
export interface TopVerifications {
  by: 'key' | 'owner' | 'keyspace' | 'ip' | 'network';
  from: string;
  to: string;
  items: Array<{ subject: string; count: number; cost?: number }>;
}

/** One verification as the monitoring recorded it: never the key itself. */
export interface UsageEvent {
  ts: string;
  workspaceId: string;
  /** Null for a key that is not known. */
  keyId: string | null;
  keyspaceId: string | null;
  ownerId: string | null;
  outcome: VerifyOutcome;
  /** The end client's address (`ip` given to verify, else the caller's). */
  ip: string | null;
  /** The address's /24 (IPv4) or /48 (IPv6). */
  network: string | null;
  userAgent: string | null;
  cost: number;
  resource: string | null;
  method: string | null;
  /** The scope expression the caller required, if any. */
  scopes: string | null;
  /** Set when a NOT_FOUND key turned out to be a deleted one. */
  deleted?: boolean;
}

export type AnomalyKind =
  | 'new_network'
  | 'new_country'
  | 'rate_spike'
  | 'unusual_hour'
  | 'failed_burst'
  | 'revoked_key_used'
  | 'expired_key_used'
  | 'deleted_key_used'
  | 'impossible_travel'
  | 'honeytoken_used'
  | 'key_leaked'
  | 'login_failures'
  | 'audit_tampered';

export type Severity = 'low' | 'medium' | 'high' | 'critical';

/** A finding of the detectors. */
export interface Anomaly {
  id: string;
  kind: AnomalyKind;
  severity: Severity;
  status: 'open' | 'acknowledged' | 'resolved';
  keyId: string | null;
  keyspaceId: string | null;
  /** What it is about: a key id, an address, a network. */
  subject: string;
  /** One sentence with the numbers that triggered it. */
  explanation: string;
  details: Record<string, unknown>;
  /** How many times it was seen within the cool-down. */
  count: number;
  firstEventAt: string;
  detectedAt: string;
  lastSeenAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
  /** What the keyspace policy did about it. */
  response: { action: 'suspended'; suspensionId: string } | null;
}

/** A key disabled by a keyspace policy or a leak report, and how to undo it. */
export interface Suspension {
  id: string;
  keyId: string;
  anomalyId: string | null;
  reason: string;
  suspendedAt: string;
  /** The key's `enabled` flag before; the undo restores it. */
  wasEnabled: boolean;
  undoneAt: string | null;
  undoneBy: string | null;
}

/** How a keyspace answers anomalies and stale keys. */
export interface KeyspacePolicy {
  keyspaceId: string;
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
  /** Null while the defaults apply. */
  updatedAt: string | null;
}

/** What a leak report did with one presented key: the key itself is never echoed. */
export interface LeakOutcome {
  /** The key's masked start, or `-` for something that is not a key. */
  start: string;
  status: 'quarantined' | 'revoked' | 'already_revoked' | 'unknown' | 'invalid';
  keyId?: string;
  /** The `key_leaked` anomaly recorded for it. */
  anomalyId?: string;
}

/** A key as the hygiene report lists it. */
export interface KeyBrief {
  keyId: string;
  start: string;
  name: string | null;
  ownerId: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
}

/** A key holding scopes that no verification needed lately. */
export interface OverPrivilegedKey extends KeyBrief {
  granted: string[];
  exercised: string[];
  unused: string[];
  /** The smaller scope set suggested. */
  suggested: string[];
}

/** `GET /v1/hygiene`: a keyspace's stale, unused and over-privileged keys. */
export interface HygieneReport {
  keyspaceId: string;
  generatedAt: string;
  liveKeys: number;
  neverUsed: KeyBrief[];
  unused: KeyBrief[];
  expiringSoon: KeyBrief[];
  noExpiry: KeyBrief[];
  overPrivileged: OverPrivilegedKey[];
}

/** What one hygiene sweep did. */
export interface SweepResult {
  /** `key.expiring` notices sent. */
  expiring: number;
  /** `key.credits_low` notices sent. */
  creditsLow: number;
  /** Unused keys scheduled to expire. */
  scheduled: number;
  /** Scheduled expiries cancelled because the key was used again. */
  cancelled: number;
}

/** A webhook subscription; its signing secret is shown only on create and rotate. */
export interface Webhook {
  id: string;
  url: string;
  /** Event types, or `['*']`. */
  events: string[];
  enabled: boolean;
  /** The first characters of the signing secret, to tell secrets apart. */
  secretStart: string;
  createdAt: string;
  updatedAt: string;
}

/** One event sent (or being sent) to a webhook. */
export interface WebhookDelivery {
  id: string;
  webhookId: string;
  eventId: string;
  eventType: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: number;
  /** When the next attempt is due (null once finished). */
  nextAttemptAt: string | null;
  lastAttemptAt: string | null;
  /** The receiver's HTTP status on the last attempt. */
  responseStatus: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
  /** The JSON body sent: ids, names and numbers, never a secret. */
  payload: unknown;
}

/**
 * The answers of operations whose answer the OpenAPI document leaves undescribed, by operation
 * name. {@link OperationResult} prefers these over the generated types.
 */
export interface UndocumentedAnswers {
  'GET /v1/analytics/verifications': VerificationSeries;
  'GET /v1/analytics/top': TopVerifications;
  'GET /v1/analytics/events': { items: UsageEvent[] };
  'GET /v1/anomalies': { items: Anomaly[] };
  'GET /v1/anomalies/{anomalyId}': Anomaly;
  'POST /v1/anomalies/{anomalyId}/acknowledge': Anomaly;
  'POST /v1/anomalies/{anomalyId}/resolve': Anomaly;
  'GET /v1/suspensions': { items: Suspension[] };
  'POST /v1/suspensions/{suspensionId}/undo': Suspension;
  'GET /v1/keyspaces/{keyspaceId}/policy': KeyspacePolicy;
  'PUT /v1/keyspaces/{keyspaceId}/policy': KeyspacePolicy;
  'POST /v1/keys/leaked': { items: LeakOutcome[] };
  'GET /v1/hygiene': HygieneReport;
  'POST /v1/hygiene/sweep': SweepResult;
  'GET /v1/webhooks': { items: Webhook[] };
  'POST /v1/webhooks': Webhook & { secret: string };
  'GET /v1/webhooks/{webhookId}': Webhook;
  'PATCH /v1/webhooks/{webhookId}': Webhook;
  'DELETE /v1/webhooks/{webhookId}': undefined;
  'GET /v1/webhooks/{webhookId}/deliveries': { items: WebhookDelivery[]; nextCursor: string | null };
  'POST /v1/webhooks/{webhookId}/rotate-secret': Webhook & { secret: string };
  'POST /v1/webhooks/{webhookId}/test': WebhookDelivery;
  /** JSON lines (`application/x-ndjson`), oldest first. */
  'GET /v1/audit/export': string;
  'DELETE /v1/oauth/clients/{clientId}': undefined;
  'DELETE /v1/secrets/{*}': undefined;
}
