// @tessera/sdk: every public name is listed here.
export { Tessera } from './client/tessera.js';
export type { TesseraOptions } from './client/tessera.js';
export type { CallOptions, Operation, OperationBody, OperationQuery, OperationResult, UndocumentedAnswers } from './client/operations.js';
export type { Operations } from '@tessera/api';
export type {
  Anomaly,
  AnomalyKind,
  HygieneReport,
  KeyBrief,
  KeyspacePolicy,
  LeakOutcome,
  OverPrivilegedKey,
  Rollover,
  Severity,
  Suspension,
  SweepResult,
  TopVerifications,
  UsageEvent,
  VerificationCounts,
  VerificationSeries,
  VerifyCode as VerifyOutcome,
  Webhook,
  WebhookDelivery,
  Workspace,
} from '@tessera/api';
export { TesseraError } from './client/tessera-error.js';
export type { ClientErrorCode, Result } from './client/tessera-error.js';
export type { VerifyCacheOptions, VerifyKeyOptions, VerifyKeyResult } from './verify/key-verifier.js';
export type { KeyEvent } from './verify/key-events.js';
export { isWellFormedKey } from '@tessera/api';
export { AccessTokenVerifier } from './jwt/access-token-verifier.js';
export { MemoryDpopReplayStore, RedisDpopReplayStore } from './jwt/dpop-replay-store.js';
export type { DpopReplayStore, RedisSetNx } from './jwt/dpop-replay-store.js';
export type {
  AccessTokenAlgorithm,
  AccessTokenIdentity,
  AccessTokenVerifierOptions,
  PresentedToken,
  TokenFailureCode,
  VerifyTokenOptions,
  VerifyTokenResult,
} from './jwt/access-token-types.js';
export type { ApiKeyIdentity, GuardOptions, Identity, RequireAccessTokenOptions, RequireApiKeyOptions } from './middleware/guard.js';
