/** What the detectors find (docs/monitoring.md, "Detectors"). */
export const ANOMALY_KINDS = [
  'new_network',
  'new_country',
  'rate_spike',
  'unusual_hour',
  'failed_burst',
  'fleet_failures',
  'revoked_key_used',
  'expired_key_used',
  'deleted_key_used',
  'impossible_travel',
  'honeytoken_used',
  'key_leaked',
  'login_failures',
  'audit_tampered',
] as const;
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

/** From least to most severe. */
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** An anomaly is open until someone acknowledges it, and resolved once closed for good. */
export const ANOMALY_STATUSES = ['open', 'acknowledged', 'resolved'] as const;
export type AnomalyStatus = (typeof ANOMALY_STATUSES)[number];
