/** The monitoring tables (migration 0005), in the conventions of `schema.ts`. */
export interface MonitoringTables {
  usage_events: {
    ts: number;
    workspace_id: string;
    key_id: string | null;
    keyspace_id: string | null;
    owner_id: string | null;
    outcome: string;
    ip: string | null;
    network: string | null;
    user_agent: string | null;
    cost: number;
    resource: string | null;
    method: string | null;
    scopes: string | null;
    deleted_key: number;
    /** Verifications alike within one second that the row stands for (migration 0038). */
    count: number;
  };
  usage_rollups: {
    workspace_id: string;
    granularity: string;
    bucket: number;
    dimension: string;
    subject: string;
    outcome: string;
    count: number;
    cost: number;
  };
  key_scope_usage: { key_id: string; scope: string; last_used_at: number };
  anomalies: {
    id: string;
    workspace_id: string;
    kind: string;
    severity: string;
    key_id: string | null;
    keyspace_id: string | null;
    subject: string;
    explanation: string;
    details: string;
    fingerprint: string;
    status: string;
    count: number;
    first_event_at: number;
    detected_at: number;
    last_seen_at: number;
    acknowledged_at: number | null;
    acknowledged_by: string | null;
    resolved_at: number | null;
    resolved_by: string | null;
    response: string | null;
  };
  keyspace_policies: {
    keyspace_id: string;
    workspace_id: string;
    anomaly_response: string;
    suspend_min_severity: string;
    auto_expire_unused_days: number | null;
    auto_expire_notice_days: number;
    expiring_notice_days: number;
    credits_low_threshold: number | null;
    /** Rotation (migration 0018). */
    max_key_lifetime_days: number | null;
    rotation_interval_days: number | null;
    rotation_notice_days: number;
    rotation_grace_days: number;
    /** Detection tuning (migration 0025); the lists as JSON. */
    detection_sensitivity: number;
    quiet_hours: string;
    known_networks: string;
    updated_at: number;
  };
  key_suspensions: {
    id: string;
    workspace_id: string;
    key_id: string;
    anomaly_id: string | null;
    reason: string;
    suspended_at: number;
    was_enabled: number;
    undone_at: number | null;
    undone_by: string | null;
  };
  honeytokens: { key_id: string; workspace_id: string; created_at: number };
  webhooks: {
    id: string;
    workspace_id: string;
    url: string;
    events: string;
    secret_ciphertext: string;
    secret_start: string;
    enabled: number;
    created_at: number;
    updated_at: number;
  };
  webhook_deliveries: {
    id: string;
    subscription_id: string;
    workspace_id: string;
    event_id: string;
    event_type: string;
    payload: string;
    status: string;
    attempts: number;
    next_attempt_at: number | null;
    last_attempt_at: number | null;
    response_status: number | null;
    last_error: string | null;
    created_at: number;
    delivered_at: number | null;
  };
  monitoring_cursors: { name: string; value: number };
  monitoring_notices: { kind: string; subject: string; workspace_id: string; created_at: number; data: string };
}
