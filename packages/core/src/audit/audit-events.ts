/**
 * The closed catalogue of audit actions (`resource.verb`). A new action is added here first;
 * `docs/audit-events.md` lists them and a test keeps the two in step.
 */
export const AUDIT_ACTIONS = [
  'workspace.created',
  'root_key.created',
  'root_key.revoked',
  'root_key.rolled',
  'root_key.auth_failed',
  'keyspace.created',
  'key.created',
  'key.updated',
  'key.enabled',
  'key.disabled',
  'key.revoked',
  'key.rolled',
  'key.deleted',
  'keys.revoked_by_owner',
  'oauth_client.created',
  'oauth_client.updated',
  'oauth_client.deleted',
  'oauth_client.secret_rotated',
  'oauth_token_family.revoked',
  'oauth_signing_key.created',
  'audit.exported',
  'key.recovered',
  'secret.written',
  'secret.read',
  'secret.deleted',
  'keyring.kek_rotated',
  'keyring.data_keys_rotated',
  'keyring.pepper_rotated',
  'user.created',
  'user.updated',
  'user.login',
  'user.login_failed',
  'user.locked',
  'user.totp_enrolled',
  'user.recovery_code_used',
  'user.passkey_added',
  'user.passkey_removed',
  'user.passkey_used',
  'user.logout',
  'anomaly.detected',
  'anomaly.acknowledged',
  'anomaly.resolved',
  'key.suspended',
  'key.unsuspended',
  'key.expiry_scheduled',
  'key.expiry_cancelled',
  'honeytoken.created',
  'keyspace.policy_updated',
  'webhook.created',
  'webhook.updated',
  'webhook.deleted',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export function isAuditAction(value: string): value is AuditAction {
  return (AUDIT_ACTIONS as readonly string[]).includes(value);
}
