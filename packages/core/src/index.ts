export { TesseraError } from './errors.js';
export { randomBase62 } from './base62.js';
export { isId, newId, type IdKind } from './ids.js';
export { ManualClock, systemClock, type Clock } from './clock.js';
export { generateKey } from './api-keys/key-format.js';
export { every, type Ticker } from './lifecycle/every.js';
export { Lifecycle } from './lifecycle/lifecycle.js';
export { UsageBatcher } from './api-keys/usage-batcher.js';
export { KeyVerifier } from './api-keys/key-verifier.js';
export { limitIdentity } from './api-keys/cached-key.js';
export type { VerifyResult } from './api-keys/verify-result.js';
export { KeyService } from './api-keys/key-service.js';
export { rotationDueAt } from './api-keys/rotation-rules.js';
export { Rollovers, type RolloverView } from './api-keys/rollovers.js';
export type { RolloverEnd, RolloverRecord, RolloverRepos } from './api-keys/rollover-repos.js';
export { type ChangeAction, type ChangePhase } from './api-keys/change-phases.js';
export { satisfies } from './scopes/scope-expression.js';
export { parseCidr } from './net/ip-allowlist.js';
export {
  MemoryRateLimiter,
  type RateLimitCheck,
  type RateLimiter,
  type RateLimitOutcome,
  type RateLimitState,
} from './ratelimit/rate-limiter.js';
export { type CreditLimiter, type CreditOutcome, type CreditSpend } from './ratelimit/credit-limiter.js';
export { appendAudit, auditAppend, auditHash, GENESIS_HASH, verifyAuditChain, type Actor } from './audit/audit-chain.js';
export { EnvelopeKeyring, type Keyring } from './custody/envelope-keyring.js';
export { MemoryKeyring } from './custody/memory-keyring.js';
export { wrappedKeyContext } from './custody/envelope-format.js';
export { HASH_DOMAINS, type PepperInput } from './custody/hash-domain.js';
export { KeyringError, type KekProvider } from './custody/kek-provider.js';
export { LocalKek, parseMasterKey } from './custody/local-kek.js';
export { createKeyringFile, loadKeyringFile, readKeyringDescriptor, type KeyringDescriptor } from './custody/local-keyring-file.js';
export { MemoryKeyringRepos, type KeyringRepos, type WrappedKeyRecord } from './custody/custody-repos.js';
export { PepperRehasher } from './custody/pepper-rehash.js';
export { VaultService, type SecretSummary, type VaultCaller } from './vault/vault-service.js';
export { canAccessSecret, isSecretName } from './vault/secret-access.js';
export type { SecretRecord, SecretVersionRecord, VaultRepos } from './vault/vault-repos.js';
export { SecretRotations, type RotationView } from './vault/rotation/secret-rotations.js';
export {
  SecretRotationRunner,
  ROTATION_RUNNER_DEFAULTS,
  type RotationFailure,
  type RotationRunnerOptions,
} from './vault/rotation/secret-rotation-runner.js';
export { PostgresAlternatingRotator } from './vault/rotation/postgres-alternating-rotator.js';
export { WebhookRotator } from './vault/rotation/webhook-rotator.js';
export type { RotationOutcome, SecretRotationRecord, SecretRotationRepos } from './vault/rotation/secret-rotation-repos.js';
export { DatabaseAdmin } from './databases/database-admin.js';
export { DatabaseLeases } from './databases/database-leases.js';
export { LeaseRevoker, REVOKER_DEFAULTS, type RevocationFailure, type RevokerOptions } from './databases/lease-revoker.js';
export { TargetError, type DatabaseTarget, type TargetConnection } from './databases/database-target.js';
export { renderStatements } from './databases/statement-templates.js';
export type { DatabaseConnectionRecord, DatabaseLeaseRecord, DatabaseRoleRecord } from './databases/database-records.js';
export type { DatabaseRepos } from './databases/database-repos.js';
export { KeyRecovery } from './api-keys/key-recovery.js';
export type { KeyRecoveryRecord, KeyRecoveryRepos } from './api-keys/key-recovery-repos.js';
export type { AuditCheckpointRecord, AuditCheckpointRepos, AuditSigningKeyRecord } from './audit/audit-checkpoint-repos.js';
export { AuditCheckpointer, type CheckpointerHooks, type CheckpointPolicy, type CheckpointRefusal } from './audit/audit-checkpoints.js';
export { auditPublicJwks, loadAuditSigningKeys } from './audit/audit-signing-keys.js';
export { AuditPinFile, CheckpointFileSink, type AuditPin } from './audit/checkpoint-files.js';
export { verifyAuditLog } from './audit/audit-verify.js';
export { hasPermission, isPermissionGrant, ROLE_PERMISSIONS } from './root-keys/permissions.js';
export {
  CONSOLE_ROLES,
  type ConsolePasskeyRecord,
  type PasskeyChallenge,
  type ConsoleRole,
  type ConsoleSessionRecord,
  type ConsoleSsoLinkRecord,
  type ConsoleUserPatch,
  type ConsoleUserRecord,
  type SessionStage,
} from './console/console-records.js';
export type { ConsoleRepos } from './console/console-repos.js';
export { ConsoleAccounts } from './console/console-accounts.js';
export { consoleReachOf, consoleUserIn } from './console/console-reach.js';
export type { PasswordHasher } from './console/password-hasher.js';
export type { ConsolePolicy } from './console/console-policy.js';
export type { Signed } from './console/console-sessions.js';
export type { HalfSession } from './console/console-sign-in.js';
export type { SignInFailures } from './console/sign-in-lockout.js';
export { ConsoleSso } from './console/console-sso.js';
export { parseRoleMapping, type ConsoleSsoSettings } from './console/console-sso-settings.js';
export { relyingPartyOf, type PasskeyCredential, type PasskeyRecord, type RelyingParty } from './webauthn/passkey-ceremony.js';
export { VerifyTimeline } from './usage/verify-timeline.js';
export { keyringStatus } from './custody/custody-status.js';
export {
  IDEMPOTENCY_ABANDONED_MS,
  IDEMPOTENCY_KEY_PATTERN,
  IDEMPOTENCY_TTL_MS,
  IdempotencyService,
  type IdempotencyClaim,
} from './idempotency/idempotency-service.js';
export type { IdempotencyRecord, IdempotencyRepos } from './idempotency/idempotency-repos.js';
export { DEFAULT_WORKSPACE_ID, ROOT_KEY_PREFIX, RootKeyService, type RootKeyOutcome } from './root-keys/root-key-service.js';
export { inWorkspace, keyspaceAllowed } from './root-keys/root-key-scope.js';
export { WorkspaceService } from './workspaces/workspace-service.js';
export type { WorkspaceRecord, WorkspaceRepos } from './workspaces/workspace-repos.js';
export { LocalInvalidationBus, revocationOf, type Invalidation, type InvalidationBus } from './invalidation-bus.js';
export { OAUTH_ERROR_STATUS, OAuthError, type OAuthErrorCode } from './oauth/oauth-error.js';
export {
  ALL_GRANT_TYPES,
  CLIENT_AUTH_METHODS,
  SIGNING_ALGS,
  type ClientSecretRecord,
  type OAuthClientRecord,
  type OpaqueTokenRecord,
  type RefreshTokenRecord,
  type SigningKeyRecord,
  type TokenFamilyRecord,
} from './oauth/oauth-records.js';
export type { OAuthRepos, OAuthStore } from './oauth/oauth-store.js';
export type { OAuthClientRepos } from './oauth/client-repos.js';
export type { SigningKeyRepos, SigningKeyTimes } from './oauth/signing-key-repos.js';
export type { TokenFamilyRepos } from './oauth/token-family-repos.js';
export type { AccessTokenRepos } from './oauth/access-token-repos.js';
export type { OnceRepos } from './oauth/once-repos.js';
export { verifyJws } from './oauth/jws.js';
export { ML_DSA_65, SigningWorkers, type MlDsa } from './oauth/signing-workers.js';
export { DEFAULT_SIGNING_KEY_POLICY, SigningKeys, type KeyState, type SigningKeyPolicy } from './oauth/signing-keys.js';
export { akpThumbprint } from './oauth/signing-key-material.js';
export { CLIENT_LIMITS } from './oauth/client-input.js';
export { OAuthClientService } from './oauth/client-service.js';
export { noticeDueSecrets } from './oauth/client-secret-schedule.js';
export { ClientDirectory } from './oauth/client-directory.js';
export type { TokenRequest } from './oauth/token-request.js';
export { AuthorizationServer } from './oauth/authorization-server.js';
export { CORS_POLICY } from './oauth/endpoints/cors.js';
export { authorizationServerMetadata, OAUTH_PATHS } from './oauth/metadata.js';
export { ACCESS_TOKEN_TYPE, API_KEY_TOKEN_TYPE, JWT_TOKEN_TYPE } from './oauth/token-types.js';
export { JWT_BEARER_ASSERTION } from './oauth/client-auth.js';
export type { EndpointAnswer } from './oauth/server-context.js';
export type {
  AuthorizationCodeRecord,
  ConsentRecord,
  DeviceAuthorizationRecord,
  EndUserPatch,
  EndUserRecord,
  PushedRequestRecord,
} from './oauth/people/end-user-records.js';
export type { PushedRequestRepos } from './oauth/pushed-request-repos.js';
export type { DeviceAuthorizationRepos } from './oauth/device-authorization-repos.js';
export type { EndUserRepos } from './oauth/people/end-user-repos.js';
export type { UserGrantRepos } from './oauth/people/user-grant-repos.js';
export type { AuthorizationCodeRepos } from './oauth/authorization-code-repos.js';
export { EndUserService } from './oauth/people/end-user-service.js';
export { UserGrants, type GrantedApp } from './oauth/people/user-grants.js';
export type { SignedInUser } from './oauth/people/signed-in-user.js';
export type { SecondFactorOffer } from './oauth/people/end-user-passkeys.js';
export type { SecondFactorAnswer } from './oauth/people/end-user-second-factor.js';
export type { BrandingRepos, WorkspaceBranding } from './oauth/people/branding-repos.js';
export type {
  ClaimMapping,
  FederatedSignInRecord,
  UpstreamLinkRecord,
  UpstreamProviderRecord,
} from './oauth/federation/upstream-provider-records.js';
export type { UpstreamProviderRepos } from './oauth/federation/upstream-provider-repos.js';
export { UpstreamProviders } from './oauth/federation/upstream-providers.js';
export { FEDERATION_CALLBACK_PATH } from './oauth/federation/federated-sign-in.js';
export type { AuthorizationStep } from './oauth/authorization/authorization-flow.js';
export type { DeviceStep } from './oauth/device/device-flow.js';
export type { AuthorizationRequest } from './oauth/authorization/authorization-request.js';
export type { AuditRecord, KeyRecord, KeyspaceRecord, RootKeyRecord, UsageUpdate } from './store/records.js';
export type { Repos, Store } from './store/store.js';
export type { Page } from './store/page.js';
export type { StorePorts } from './store/store-ports.js';
export type { KeyChange, KeyChanged, KeyListQuery, KeyRepos } from './api-keys/key-repos.js';
export type { KeyspaceRepos } from './api-keys/keyspace-repos.js';
export type { RootKeyRepos } from './root-keys/root-key-repos.js';
export type { AuditAppend, AuditLink, AuditQuery, AuditRepos } from './audit/audit-repos.js';
// — Monitoring: usage events, analytics, anomaly detection, webhooks, hygiene —
export { networkOf, type UsageEvent } from './usage/usage-event.js';
export { GRANULARITIES, type Granularity, type RollupDimension } from './usage/usage-rollups.js';
export { UsageRecorder, type UsageRecorderOptions } from './usage/usage-recorder.js';
export { AnalyticsService, type RetentionPolicy } from './usage/analytics-service.js';
export type { MonitoringRepos, MonitoringStore } from './usage/monitoring-store.js';
export type { UsageRepos } from './usage/usage-repos.js';
export type { AnomalyQuery, AnomalyRepos } from './anomaly/anomaly-repos.js';
export type { SuspensionRepos } from './anomaly/suspension-repos.js';
export type { PolicyRepos } from './anomaly/policy-repos.js';
export type { HoneytokenRepos } from './anomaly/honeytoken-repos.js';
export type { WebhookRepos } from './webhooks/webhook-repos.js';
export type { DeliveryRepos } from './webhooks/delivery-repos.js';
export type { CursorRepos } from './webhooks/cursor-repos.js';
export type { Notice, NoticeRepos } from './hygiene/notice-repos.js';
export type { KeyInventoryRepos } from './hygiene/key-inventory-repos.js';
export { type AnomalyDraft, type AnomalyRecord, type KeyspacePolicy, type SuspensionRecord } from './anomaly/anomaly-records.js';
export { AnomalyEngine } from './anomaly/anomaly-engine.js';
export { type FleetDelta, type FleetTotals, type MinuteCount } from './anomaly/fleet-tally.js';
export { type BurstDelta, type BurstTotal } from './anomaly/burst-share.js';
export { FleetSync, type FleetExchange } from './anomaly/fleet-sync.js';
export { type ClientAuthFailure } from './anomaly/fleet-failure-options.js';
export { AnomalyService } from './anomaly/anomaly-service.js';
export { SuspensionService } from './anomaly/suspension-service.js';
export { PolicyService } from './anomaly/policy-service.js';
export { compileTuning, DetectionTunings, isQuietHour, type DetectionTuning } from './anomaly/detection-tuning.js';
export { GatewayRouteService, type ActiveRoutes } from './gateway/gateway-route-service.js';
export { matchRoute, type GatewayRoutes } from './gateway/route-rules.js';
export { PortalKeys, type PortalKey } from './portal/portal-keys.js';
export type { PortalRepos, PortalSessionRecord } from './portal/portal-repos.js';
export { PORTAL_SESSION_MS, PortalSessions, type PortalSession } from './portal/portal-sessions.js';
export { PortalSettingsService } from './portal/portal-settings-service.js';
export { DEFAULT_PORTAL_SETTINGS, type PortalSettings } from './portal/portal-settings.js';
export { HoneytokenService } from './anomaly/honeytoken-service.js';
export { LeakReports, type LeakOutcome } from './anomaly/leak-reports.js';
export { CidrTableGeoLookup, type GeoLookup } from './anomaly/geo-lookup.js';
export type { WebhookDeliveryRecord, WebhookSubscriptionRecord } from './webhooks/webhook-records.js';
export { verifyWebhookSignature } from './webhooks/webhook-signature.js';
export { WebhookService } from './webhooks/webhook-service.js';
export { type WebhookFailureLog, type WebhookOptions } from './webhooks/webhook-deliverer.js';
export { webhookEmitter } from './webhooks/webhook-fanout.js';
export { WEBHOOK_FAILURES, type WebhookFailure, type WebhookTargetPolicy } from './webhooks/webhook-target.js';
export { parseNetwork } from './net/address-policy.js';
export { AuditFeed } from './webhooks/audit-feed.js';
export { AuditStream, type AuditSink } from './audit/audit-stream.js';
export { HygieneReports, type KeyBrief } from './hygiene/hygiene-report.js';
export { HygieneSweep, type SweepResult } from './hygiene/hygiene-sweep.js';
export { AuthFailureThrottle } from './root-keys/auth-failure-throttle.js';
