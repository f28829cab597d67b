// @tessera/api: the names and types of Tessera's API, shared by the server, the SDK and the
// console. Every public name is listed here. No runtime dependency and nothing Node-only.
export { BASE62_ALPHABET, encodeBase62Int } from './base62.js';
export {
  CHECKSUM_LENGTH,
  isWellFormedKey,
  KEY_PATTERN,
  KEY_SEARCH_PATTERN,
  keyChecksum,
  keyHint,
  maskKey,
  MAX_KEY_LENGTH,
  parseKey,
  PREFIX_PATTERN,
  RANDOM_LENGTH,
  type ParsedKey,
} from './key-format.js';
export { VERIFY_CODES, type VerifyCode } from './verify-codes.js';
export { ERROR_STATUS, ERROR_TITLES, type ErrorCode } from './error-codes.js';
export { PERMISSIONS, type Permission } from './permissions.js';
export { ANOMALY_KINDS, ANOMALY_STATUSES, SEVERITIES, type AnomalyKind, type AnomalyStatus, type Severity } from './anomaly-names.js';
export { AUDIT_ACTIONS, isAuditAction, type AuditAction } from './audit-actions.js';
export { WEBHOOK_EVENT_TYPES, type WebhookEventType } from './webhook-events.js';
export { rateLimitHeaders, type RateLimitState } from './ratelimit-headers.js';
// Generated from the OpenAPI document (src/api-types.ts): the shared schemas by name, and every operation.
export type {
  Anomaly,
  AuditCheckpoint,
  AuditEntry,
  AuditReport,
  AuthorizationServerMetadata,
  DatabaseConnection,
  DatabaseLease,
  DatabaseRole,
  EndUser,
  ConsoleOperations,
  HygieneReport,
  IntrospectionResponse,
  JsonWebKeySet,
  Key,
  KeyBrief,
  Keyspace,
  KeyspacePolicy,
  LeakOutcome,
  OAuthClient,
  OAuthClientSecret,
  OAuthClientWithSecret,
  OAuthError,
  OAuthSigningKey,
  Operations,
  OverPrivilegedKey,
  Problem,
  Rollover,
  RootKey,
  SecretRotation,
  SecretSummary,
  Suspension,
  SweepResult,
  TokenResponse,
  TopVerifications,
  UpstreamProvider,
  UsageEvent,
  UserInfo,
  VerificationCounts,
  VerificationPoint,
  VerificationSeries,
  Webhook,
  WebhookDelivery,
  WebhookEvent,
  WebhookWithSecret,
  Workspace,
} from './api-types.js';
