// Generated from Tessera's /openapi.json by test/sdk/openapi-drift.test.ts: do not edit by hand.
// After a change to the API, regenerate with: npx vitest run test/sdk/openapi-drift.test.ts -u
/* eslint-disable */

/** A finding of the detectors. */
export interface Anomaly {
  id: string;
  kind: "new_network" | "new_country" | "rate_spike" | "unusual_hour" | "failed_burst" | "fleet_failures" | "revoked_key_used" | "expired_key_used" | "deleted_key_used" | "impossible_travel" | "honeytoken_used" | "key_leaked" | "login_failures" | "audit_tampered";
  severity: "low" | "medium" | "high" | "critical";
  status: "open" | "acknowledged" | "resolved";
  keyId: string | null;
  keyspaceId: string | null;
  /** What it is about: a key id, an address, a network. */
  subject: string;
  /** One sentence with the numbers that triggered it. */
  explanation: string;
  /** The detector's figures (differ by kind). */
  details: {
    [name: string]: unknown;
  };
  /** How many times it was seen within the cool-down. */
  count: number;
  firstEventAt: string;
  detectedAt: string;
  lastSeenAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
  response: {
    action: "suspended";
    suspensionId: string;
  } | null;
  /** The finding's ids by name, where one is known: its key by the key's name, console users (`user:usr_…` and `usr_…`) by email, root keys by name. */
  names: {
    [name: string]: string;
  };
}

/** A signed statement that entry `seq` of the chain had hash `hash` at time `ts`. */
export interface AuditCheckpoint {
  seq: number;
  hash: string;
  ts: string;
  keyVersion: number;
  /** A compact JWS (EdDSA) over the checkpoint, verifiable with the audit keys. */
  signature: string;
}

/** One entry of the hash-chained audit log. */
export interface AuditEntry {
  /** Its place in the chain, from 1. */
  seq: number;
  id: string;
  ts: string;
  /** Null for the installation's own entries (keyring, signing keys). */
  workspaceId: string | null;
  /** Who: a root key id, a console user, `system`, `anonymous`. */
  actor: string;
  /** The actor by name, in listings: a console user's email, a root key's name (null when it has none, such as `system`). */
  actorName?: string | null;
  /** What, as `resource.verb` (docs/audit-events.md lists every action). */
  action: string;
  target: string | null;
  /** The target by name, in listings: a key's, keyspace's, root key's or OAuth client's name, a console user's email, an anomaly's kind and key (null when it has none, or is gone). */
  targetName?: string | null;
  ip: string | null;
  details: {
    [name: string]: unknown;
  };
  /** The previous entry's hash: the link of the chain. */
  prevHash: string;
  hash: string;
}

/** What a check of the audit chain and its signed checkpoints found. */
export interface AuditReport {
  ok: boolean;
  /** Entries whose link and hash were recomputed. */
  checked: number;
  /** The first entry that was changed, or where one was removed or reordered. */
  firstBadSeq?: number;
  reason?: string;
  checkpoints: {
    /** Checkpoints whose signature and hash were checked. */
    checked: number;
    /** The newest entry a valid checkpoint vouches for (0 if none). */
    lastSignedSeq: number;
    /** Entries after it: they pass the chain check, but no signature covers them yet. */
    unsignedEntries: number;
    badSignatureSeq?: number;
    /** A checkpoint a later one names, or the one remembered outside the database, that is gone. */
    missingSeq?: number;
  };
}

/** Authorization server metadata (RFC 8414 §2), which is also the OpenID Provider configuration (OpenID Connect Discovery §3). */
export interface AuthorizationServerMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  userinfo_endpoint: string;
  end_session_endpoint: string;
  device_authorization_endpoint: string;
  pushed_authorization_request_endpoint: string;
  /** RFC 9126 §5: false; a client may be set to require pushed requests (`requirePar`). */
  require_pushed_authorization_requests: boolean;
  jwks_uri: string;
  introspection_endpoint: string;
  revocation_endpoint: string;
  /** The OpenID Connect scopes; a client’s own scopes besides. */
  scopes_supported: Array<string>;
  /** `code`: the authorization code flow. */
  response_types_supported: Array<string>;
  /** `query`. */
  response_modes_supported: Array<string>;
  /** Authorization code, client credentials, refresh token, token exchange (RFC 8693) and the device code (RFC 8628). */
  grant_types_supported: Array<string>;
  /** PKCE: S256 only (RFC 9700 §2.1.1). */
  code_challenge_methods_supported: Array<string>;
  /** `public`. */
  subject_types_supported: Array<string>;
  /** Algorithms ID tokens are signed with. */
  id_token_signing_alg_values_supported: Array<string>;
  /** Claims of ID tokens and the userinfo endpoint. */
  claims_supported: Array<string>;
  /** The `acr` values ID tokens carry: `phr` (a passkey), `urn:tessera:acr:mfa` (a one-time code after the password), `urn:tessera:acr:pwd` (the password alone), `urn:tessera:acr:fed` (an upstream provider). */
  acr_values_supported: Array<string>;
  /** `prompt` values the authorization endpoint takes. */
  prompt_values_supported: Array<string>;
  /** RFC 9207: `iss` is in every authorization response. */
  authorization_response_iss_parameter_supported: boolean;
  /** How clients authenticate; `none` for public clients. */
  token_endpoint_auth_methods_supported: Array<string>;
  /** `private_key_jwt` assertion algorithms. */
  token_endpoint_auth_signing_alg_values_supported: Array<string>;
  /** As at the token endpoint, public clients aside. */
  introspection_endpoint_auth_methods_supported: Array<string>;
  /** As at the token endpoint. */
  introspection_endpoint_auth_signing_alg_values_supported: Array<string>;
  /** As at the token endpoint. */
  revocation_endpoint_auth_methods_supported: Array<string>;
  /** As at the token endpoint. */
  revocation_endpoint_auth_signing_alg_values_supported: Array<string>;
  /** Algorithms access tokens are signed with, per client. */
  access_token_signing_alg_values_supported: Array<string>;
  /** DPoP proof algorithms (RFC 9449 §5.1). */
  dpop_signing_alg_values_supported: Array<string>;
  /** Token types of token exchange. */
  token_types_supported: Array<string>;
}

/** A target database; its admin password is never shown. */
export interface DatabaseConnection {
  id: string;
  name: string;
  plugin: "postgresql";
  host: string;
  port: number;
  database: string;
  tlsMode: "disable" | "require" | "verify-full";
  username: string;
  createdAt: string;
  updatedAt: string;
}

/** A credential handed out, without its password (none is kept). */
export interface DatabaseLease {
  leaseId: string;
  role: string;
  /** The generated login name. */
  login: string;
  /** `revoking`: the login is being dropped, or waiting for the next attempt after a failure. */
  state: "active" | "revoking" | "revoked";
  /** The actor it was issued to. */
  issuedTo: string;
  issuedAt: string;
  expiresAt: string;
  /** No renewal reaches past it. */
  maxExpiresAt: string;
  renewals: number;
  revokeReason: "expired" | "requested" | "failed" | null;
  /** Revocation attempts so far. */
  attempts: number;
  /** The expiry while active; the next revocation attempt while revoking. */
  nextAttemptAt: string | null;
  /** Why the last revocation attempt failed (the target's message, without secrets). */
  lastError: string | null;
  revokedAt: string | null;
}

/** What credentials of a role are and how long they live. */
export interface DatabaseRole {
  id: string;
  name: string;
  /** The connection's name. */
  connection: string;
  creationStatements: string;
  /** Null: the default. */
  revocationStatements: string | null;
  /** Null: the default. */
  renewStatements: string | null;
  defaultTtlSeconds: number;
  maxTtlSeconds: number;
  createdAt: string;
  updatedAt: string;
}

/** A person who signs in to the workspace’s apps; the password is never shown. */
export interface EndUser {
  userId: string;
  email: string;
  /** Answered as `email_verified` to apps. */
  emailVerified: boolean;
  name: string | null;
  /** A disabled user cannot sign in, and their refresh tokens stop working. */
  disabled: boolean;
  /** Whether the user enrolled a TOTP second factor or registered a passkey (from their account page). */
  secondFactor: boolean;
  createdAt: string;
  updatedAt: string;
  lastSignInAt: string | null;
}

/** A keyspace's stale, unused and over-privileged keys. */
export interface HygieneReport {
  keyspaceId: string;
  generatedAt: string;
  /** Keys not revoked, deleted or expired. */
  liveKeys: number;
  neverUsed: Array<KeyBrief>;
  unused: Array<KeyBrief>;
  expiringSoon: Array<KeyBrief>;
  noExpiry: Array<KeyBrief>;
  overPrivileged: Array<OverPrivilegedKey>;
}

/** What the token is (RFC 7662 §2.2). */
export interface IntrospectionResponse {
  /** Whether the token is live and of the asking client’s workspace; nothing else is told when not. */
  active: boolean;
  scope?: string;
  /** The client the token was issued to. */
  client_id?: string;
  /** The workspace of that client. */
  workspace_id?: string;
  sub?: string;
  /** Access tokens only. */
  aud?: string | Array<string>;
  iss?: string;
  exp?: number;
  iat?: number;
  /** Access tokens only. */
  jti?: string;
  token_type?: "Bearer" | "DPoP" | "refresh_token";
  cnf?: {
    /** RFC 7638 thumbprint of the DPoP key (RFC 9449 §6.2). */
    jkt: string;
  };
}

/** The signing keys: next, current and previous of each algorithm in use (RFC 7517 §5). */
export interface JsonWebKeySet {
  keys: Array<{
    /** `OKP`, `EC`, `RSA` or `AKP`. */
    kty: string;
    /** The RFC 7638 thumbprint of the key. */
    kid: string;
    alg: string;
    /** Always `sig`. */
    use: string;
    crv?: string;
    /** OKP and EC. */
    x?: string;
    /** EC. */
    y?: string;
    /** RSA modulus. */
    n?: string;
    /** RSA exponent. */
    e?: string;
    /** AKP (ML-DSA) public key. */
    pub?: string;
  }>;
}

/** A key as Tessera keeps it: never the key itself, nor its hash. */
export interface Key {
  keyId: string;
  keyspaceId: string;
  /** Display hint: prefix and the first and last four characters. */
  start: string;
  ownerId: string | null;
  name: string | null;
  scopes: Array<string>;
  meta: {
    [name: string]: unknown;
  } | null;
  environment: string | null;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  revokeReason: string | null;
  ipAllowlist: Array<string>;
  ratelimits: Array<{
    name: string;
    limit: number;
    windowMs: number;
    /** Whose counter: the key's own (default), or one shared by all keys of the same owner. */
    identity?: "key" | "owner";
  }>;
  credits: {
    remaining: number;
    refill: {
      amount: number;
      intervalSeconds: number;
    } | null;
    refilledAt: string | null;
  } | null;
  lastUsedAt: string | null;
  usageCount: number;
  /** The key this one was rolled to. */
  rolledToKeyId: string | null;
  /** When the key is due for rotation under its keyspace's policy (null: no schedule, or rolled or revoked). */
  rotationDueAt: string | null;
  /** A honeytoken (`POST /v1/honeytokens`): planted as a trap; any use of it is a critical anomaly. */
  decoy: boolean;
}

/** A key as the hygiene report lists it. */
export interface KeyBrief {
  keyId: string;
  /** Display hint: prefix and the first and last four characters. */
  start: string;
  name: string | null;
  ownerId: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
}

/** A group of keys that share a prefix. */
export interface Keyspace {
  id: string;
  workspaceId: string;
  name: string;
  prefix: string;
  recoverable: boolean;
  createdAt: string;
}

/** How a keyspace answers anomalies and stale keys, and how its keys rotate. */
export interface KeyspacePolicy {
  keyspaceId: string;
  /** `alert`: record and notify. `suspend`: also disable the key (audited, undoable). */
  anomalyResponse: "alert" | "suspend";
  /** The least severity that suspends, with `suspend`. */
  suspendMinSeverity: "low" | "medium" | "high" | "critical";
  /** Keys unused this many days are scheduled to expire (null: never). */
  autoExpireUnusedDays: number | null;
  /** Notice given before such a key expires; a use within it cancels the expiry. */
  autoExpireNoticeDays: number;
  /** A `key.expiring` webhook goes out this many days before a key expires. */
  expiringNoticeDays: number;
  /** A `key.credits_low` webhook goes out when credits fall to this (null: never). */
  creditsLowThreshold: number | null;
  /** No key may be created or updated to expire later than this many days from now, nor to never expire (null: no limit). Setting it gives every live key without an expiry, or with a later one, an expiry at the limit. */
  maxKeyLifetimeDays: number | null;
  /** A key is due for rotation this many days after it was made (null: no schedule). */
  rotationIntervalDays: number | null;
  /** A `key.rotation_due` webhook goes out this many days before a key is due for rotation. */
  rotationNoticeDays: number;
  /** A key not rolled by its due date keeps working this many days more, then expires. */
  rotationGraceDays: number;
  /** Scales the detectors' thresholds for this keyspace: the margin over a baseline is divided by it (2: findings at half the usual excess; 0.5: at twice it). Default 1. */
  detectionSensitivity: number;
  /** Hours of the day (UTC, 0–23) in which the keyspace's keys are not used: any use then is an `unusual_hour` finding, whatever the key's history. Default none. */
  quietHours: Array<number>;
  /** Networks (CIDRs or single addresses) that are the keyspace's own — offices, data centres: a use from one is never a new network, new country or impossible travel. Default none. */
  knownNetworks: Array<string>;
  /** Null while the defaults apply. */
  updatedAt: string | null;
}

/** What a leak report did with one presented key: the key itself is never echoed. */
export interface LeakOutcome {
  /** The key's masked start, or `-` for something that is not a key. */
  start: string;
  status: "quarantined" | "revoked" | "already_revoked" | "unknown" | "invalid";
  keyId?: string;
  /** The `key_leaked` anomaly recorded for it. */
  anomalyId?: string;
}

/** An OAuth client; its secret is never shown again. */
export interface OAuthClient {
  clientId: string;
  name: string;
  /** Scopes the client may be granted; wildcards such as `invoices:*` allowed. */
  scopes: Array<string>;
  /** Audiences its tokens may name, the first by default; each belongs to one workspace. */
  audience: Array<string>;
  grantTypes: Array<"client_credentials" | "authorization_code" | "refresh_token" | "urn:ietf:params:oauth:grant-type:token-exchange" | "urn:ietf:params:oauth:grant-type:device_code">;
  /** Where users may be sent after signing out (OpenID Connect RP-Initiated Logout 1.0 `post_logout_redirect_uri`), matched exactly; the same forms as redirectUris. */
  postLogoutRedirectUris: Array<string>;
  /** Browser origins (`https://app.example.com`, or `http` on 127.0.0.1 or [::1] with its port) whose pages may call the token, revocation and userinfo endpoints: CORS answers name these origins exactly and no other. */
  webOrigins: Array<string>;
  /** For `authorization_code`: where users are sent back, matched exactly; `https`, `http` on 127.0.0.1 or [::1] (any port, RFC 8252 §7.3), or a reverse-domain private-use scheme. */
  redirectUris: Array<string>;
  /** How the client authenticates: a secret (Basic or in the form), `private_key_jwt`, or `none` for a public client (a browser, native or device app; authorization code with PKCE, the device code grant and refresh only). */
  tokenEndpointAuthMethod: "client_secret_basic" | "client_secret_post" | "private_key_jwt" | "none";
  jwks: {
    keys: Array<{
      [name: string]: unknown;
    }>;
  } | null;
  /** A JWT (RFC 9068) verified locally, or an opaque token introspected. */
  accessTokenFormat: "jwt" | "opaque";
  /** EdDSA (default), ES256, RS256 or the post-quantum ML-DSA-65. */
  signingAlg: "EdDSA" | "ES256" | "RS256" | "ML-DSA-65";
  /** Seconds an access token lives. Default 300. */
  accessTokenTtl: number;
  /** Seconds a refresh token lives unused. Default 7 days. */
  refreshTokenTtl: number;
  /** Seconds a just-rotated refresh token may be presented once more. Default 0. */
  refreshGraceSeconds: number;
  /** Seconds a refresh family lives from its first token, however often it rotates. Default 30 days. */
  refreshFamilyLifetime: number;
  /** Every access token must be DPoP-bound (RFC 9449 §5.2). */
  dpopBound: boolean;
  /** DPoP proofs must carry a server nonce (RFC 9449 §8). */
  dpopNonce: boolean;
  /** Authorization requests must be pushed first (RFC 9126 §6 `require_pushed_authorization_requests`); one sent straight to the authorization endpoint is refused with `invalid_request`. Needs `authorization_code`. Default false. */
  requirePar: boolean;
  secretRotation: {
    /** The secret falls due this many days after it was issued. */
    intervalDays: number;
    /** Seconds both secrets work when it is rotated (the default grace of rotate-secret). Default 7 days, at most half the interval; shorter than the interval. */
    overlapSeconds?: number;
  } | null;
  /** When the current secret falls due under the schedule. */
  secretRotationDueAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A new client secret. */
export interface OAuthClientSecret {
  clientId: string;
  /** The client secret: shown in this answer only. */
  clientSecret: string;
}

/** A new OAuth client, with its secret unless it authenticates with `private_key_jwt`. */
export interface OAuthClientWithSecret {
  clientId: string;
  name: string;
  /** Scopes the client may be granted; wildcards such as `invoices:*` allowed. */
  scopes: Array<string>;
  /** Audiences its tokens may name, the first by default; each belongs to one workspace. */
  audience: Array<string>;
  grantTypes: Array<"client_credentials" | "authorization_code" | "refresh_token" | "urn:ietf:params:oauth:grant-type:token-exchange" | "urn:ietf:params:oauth:grant-type:device_code">;
  /** Where users may be sent after signing out (OpenID Connect RP-Initiated Logout 1.0 `post_logout_redirect_uri`), matched exactly; the same forms as redirectUris. */
  postLogoutRedirectUris: Array<string>;
  /** Browser origins (`https://app.example.com`, or `http` on 127.0.0.1 or [::1] with its port) whose pages may call the token, revocation and userinfo endpoints: CORS answers name these origins exactly and no other. */
  webOrigins: Array<string>;
  /** For `authorization_code`: where users are sent back, matched exactly; `https`, `http` on 127.0.0.1 or [::1] (any port, RFC 8252 §7.3), or a reverse-domain private-use scheme. */
  redirectUris: Array<string>;
  /** How the client authenticates: a secret (Basic or in the form), `private_key_jwt`, or `none` for a public client (a browser, native or device app; authorization code with PKCE, the device code grant and refresh only). */
  tokenEndpointAuthMethod: "client_secret_basic" | "client_secret_post" | "private_key_jwt" | "none";
  jwks: {
    keys: Array<{
      [name: string]: unknown;
    }>;
  } | null;
  /** A JWT (RFC 9068) verified locally, or an opaque token introspected. */
  accessTokenFormat: "jwt" | "opaque";
  /** EdDSA (default), ES256, RS256 or the post-quantum ML-DSA-65. */
  signingAlg: "EdDSA" | "ES256" | "RS256" | "ML-DSA-65";
  /** Seconds an access token lives. Default 300. */
  accessTokenTtl: number;
  /** Seconds a refresh token lives unused. Default 7 days. */
  refreshTokenTtl: number;
  /** Seconds a just-rotated refresh token may be presented once more. Default 0. */
  refreshGraceSeconds: number;
  /** Seconds a refresh family lives from its first token, however often it rotates. Default 30 days. */
  refreshFamilyLifetime: number;
  /** Every access token must be DPoP-bound (RFC 9449 §5.2). */
  dpopBound: boolean;
  /** DPoP proofs must carry a server nonce (RFC 9449 §8). */
  dpopNonce: boolean;
  /** Authorization requests must be pushed first (RFC 9126 §6 `require_pushed_authorization_requests`); one sent straight to the authorization endpoint is refused with `invalid_request`. Needs `authorization_code`. Default false. */
  requirePar: boolean;
  secretRotation: {
    /** The secret falls due this many days after it was issued. */
    intervalDays: number;
    /** Seconds both secrets work when it is rotated (the default grace of rotate-secret). Default 7 days, at most half the interval; shorter than the interval. */
    overlapSeconds?: number;
  } | null;
  /** When the current secret falls due under the schedule. */
  secretRotationDueAt: string | null;
  createdAt: string;
  updatedAt: string;
  /** The client secret: shown in this answer only. */
  clientSecret?: string;
}

/** An OAuth error (RFC 6749 §5.2). */
export interface OAuthError {
  /** RFC 6749 §5.2, RFC 7009 §2.2.1, RFC 8628 §3.5, RFC 8693 §2.2.2 and RFC 9449 §5, §8. */
  error: "invalid_request" | "invalid_client" | "invalid_grant" | "unauthorized_client" | "unsupported_grant_type" | "invalid_scope" | "unsupported_response_type" | "invalid_target" | "unsupported_token_type" | "invalid_dpop_proof" | "use_dpop_nonce" | "authorization_pending" | "slow_down" | "expired_token" | "access_denied" | "server_error" | "temporarily_unavailable";
  /** What went wrong, for a developer to read. Never holds a secret. */
  error_description: string;
}

export interface OAuthSigningKey {
  kid: string;
  /** EdDSA (default), ES256, RS256 or the post-quantum ML-DSA-65. */
  alg: "EdDSA" | "ES256" | "RS256" | "ML-DSA-65";
  /** `next` is published before it signs; `current` signs; `previous` stays published until its tokens expire. */
  state: "next" | "current" | "previous";
  activatesAt: string;
  retiresAt: string;
  /** When it leaves the JWKS. */
  expiresAt: string;
}

/** A key holding scopes that no verification needed lately. */
export interface OverPrivilegedKey {
  keyId: string;
  /** Display hint: prefix and the first and last four characters. */
  start: string;
  name: string | null;
  ownerId: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  granted: Array<string>;
  /** The scopes verifications needed within `privilegeDays`. */
  exercised: Array<string>;
  unused: Array<string>;
  /** The smaller scope set suggested. */
  suggested: Array<string>;
}

export interface Problem {
  /** A URN naming the error: `urn:tessera:error:<code in kebab case>`. */
  type: string;
  title: string;
  status: number;
  /** What went wrong, for a person to read. Never holds a secret. */
  detail: string;
  /** Stable: scripts match on it (docs/errors.md lists every code). */
  code: "VALIDATION_FAILED" | "KEY_IN_URL" | "BODY_TOO_LARGE" | "UNSUPPORTED_MEDIA_TYPE" | "HEADERS_TOO_LARGE" | "REQUEST_TIMEOUT" | "UNAUTHORIZED" | "FORBIDDEN" | "CSRF_FAILED" | "NOT_FOUND" | "METHOD_NOT_ALLOWED" | "CONFLICT" | "KEY_LIFETIME_EXCEEDED" | "IDEMPOTENCY_KEY_IN_PROGRESS" | "IDEMPOTENCY_KEY_REUSED" | "AUDIT_TAMPERED" | "RATE_LIMITED" | "INTERNAL" | "DECRYPTION_FAILED" | "STORE_UNAVAILABLE" | "KEYRING_UNAVAILABLE" | "TARGET_DATABASE_FAILED";
  instance?: string;
  /** The request id, as in the `X-Request-Id` header. */
  requestId?: string;
}

/** A usage-driven rollover: a key's successor and when the key retires. */
export interface Rollover {
  /** The key rolled: it keeps working until it retires. */
  predecessorKeyId: string;
  successorKeyId: string;
  keyspaceId: string;
  /** `pending_first_use`: the successor was never used; `successor_in_use`: it was, and the predecessor retires once quiet; `retired`: over. */
  state: "pending_first_use" | "successor_in_use" | "retired";
  createdAt: string;
  /** How long the predecessor's traffic must have stopped before it retires. */
  quietPeriodSeconds: number;
  /** The hard deadline: the predecessor expires then whatever its traffic. */
  deadline: string;
  /** When the successor was first seen in use. */
  successorFirstUsedAt: string | null;
  /** The predecessor last seen at. */
  predecessorLastUsedAt: string | null;
  /** When the predecessor stops working if its traffic does not come back: the deadline, or sooner once the successor is in use (null once retired). */
  retiresAt: string | null;
  retiredAt: string | null;
  /** `quiet`: retired by the rollover; `deadline`: expired at the deadline; `revoked`: revoked or deleted by hand. */
  retiredReason: "quiet" | "deadline" | "revoked" | null;
}

/** A root key as Tessera keeps it: never the key itself, nor its hash. */
export interface RootKey {
  id: string;
  workspaceId: string;
  name: string;
  /** Display hint: prefix and the first and last four characters. */
  start: string;
  permissions: Array<string>;
  createdAt: string;
  revokedAt: string | null;
  expiresAt: string | null;
  ipAllowlist: Array<string>;
  /** The keyspaces it is limited to (null: the whole workspace). */
  keyspaceIds: Array<string> | null;
  lastUsedAt: string | null;
  /** The root key this one was rolled to. */
  rolledToId: string | null;
  /** The workspaces it reaches besides its own; a request names one with the `Tessera-Workspace` header. */
  otherWorkspaceIds: Array<string>;
}

/** A secret's rotator, schedule and state; never a secret. */
export interface SecretRotation {
  secret: string;
  rotator: "postgres-alternating" | "webhook";
  connection?: string;
  usernames?: Array<string>;
  url?: string;
  /** Every N days (`30d`) or hours (`12h`); null: only when asked (`POST /v1/secret-rotations/{name}`). */
  every: string | null;
  /** `rotating`: a node is attempting it now. */
  state: "idle" | "rotating";
  /** A new value awaits confirmation (readers still get the current version). */
  pending: boolean;
  /** The next scheduled rotation, or retry after a failure; null: none scheduled. */
  nextRotationAt: string | null;
  /** Failed attempts since the last success. */
  attempts: number;
  lastAttemptAt: string | null;
  lastResult: "succeeded" | "failed" | null;
  /** Why the last attempt failed; never a secret. */
  lastError: string | null;
  lastRotatedAt: string | null;
}

/** A secret without its value. */
export interface SecretSummary {
  name: string;
  /** The current version. */
  version: number;
  /** Every version kept. */
  versions: Array<number>;
  rotateBy: string | null;
  /** `due`: within a week of `rotateBy`; `overdue`: past it. */
  rotation: "none" | "ok" | "due" | "overdue";
  createdAt: string;
  updatedAt: string;
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
  /** `key.rotation_due` notices sent. */
  rotationDue: number;
  /** Keys past their rotation date given an expiry at the end of the grace. */
  rotationOverdue: number;
}

/** An access token (RFC 6749 §5.1). */
export interface TokenResponse {
  /** A JWT (RFC 9068) or an opaque `tessera_at_…` token, as the client is set up. */
  access_token: string;
  /** `DPoP` when the token is bound to the DPoP proof’s key (RFC 9449 §5). */
  token_type: "Bearer" | "DPoP";
  /** Seconds. */
  expires_in: number;
  /** The scopes granted, space-separated. */
  scope: string;
  /** After a token exchange (RFC 8693 §2.2.1). */
  issued_token_type?: "urn:ietf:params:oauth:token-type:access_token";
  /** After a token exchange or a refresh, for a client that may refresh: the next refresh token. */
  refresh_token?: string;
  /** After an authorization code issued with `openid`: the ID token (OIDC Core §3.1.3.3). */
  id_token?: string;
}

export interface TopVerifications {
  by: "key" | "owner" | "keyspace" | "ip" | "network";
  from: string;
  to: string;
  /** Most verifications first. */
  items: Array<{
    /** The key, owner or keyspace id, the address, or the network (a CIDR). */
    subject: string;
    count: number;
    /** Credits spent (keys, owners and keyspaces only). */
    cost?: number;
  }>;
}

/** An upstream OpenID Provider the workspace’s end users may sign in with; the client secret is never shown. */
export interface UpstreamProvider {
  providerId: string;
  name: string;
  issuer: string;
  clientId: string;
  scopes: Array<string>;
  /** Which upstream claims fill the end user’s fields. */
  claimMapping: {
    /** The claim that holds the email. Default `email`. */
    email?: string;
    /** The claim that says the email is verified (`true`). Default `email_verified`. */
    emailVerified?: string;
    /** The claim that holds the name. Default `name`. */
    name?: string;
  };
  /** The redirect URI to register at the upstream provider for this client. */
  redirectUri: string;
  createdAt: string;
  updatedAt: string;
}

/** Verifications as the monitoring recorded them, never the key itself: one, or several alike within one second (`count`). */
export interface UsageEvent {
  ts: string;
  workspaceId: string;
  /** Null for a key that is not known. */
  keyId: string | null;
  keyspaceId: string | null;
  ownerId: string | null;
  /** A verification outcome, as `POST /v1/keys/verify` answers it. */
  outcome: "VALID" | "MALFORMED" | "NOT_FOUND" | "EXPIRED" | "REVOKED" | "DISABLED" | "RATE_LIMITED" | "USAGE_EXCEEDED" | "INSUFFICIENT_SCOPE" | "IP_NOT_ALLOWED";
  /** The end client's address (`ip` given to verify, else the caller's). */
  ip: string | null;
  /** The address's /24 (IPv4) or /48 (IPv6). */
  network: string | null;
  userAgent: string | null;
  /** Credits spent (0 when the verification failed). */
  cost: number;
  resource: string | null;
  method: string | null;
  /** The scope expression the caller required, if any. */
  scopes: string | null;
  /** Set when a NOT_FOUND key turned out to be a deleted one. */
  deleted?: boolean;
  /** How many verifications this event stands for: those alike in every other field and made within the same second are stored once, and `ts` is the first of them. */
  count: number;
}

/** Claims about the signed-in user (OIDC Core §5.3.2), as the token’s scopes allow. */
export interface UserInfo {
  /** The end user’s id. */
  sub: string;
  /** With `profile`, when the user has a name. */
  name?: string;
  /** With `email`. */
  email?: string;
  /** With `email`. */
  email_verified?: boolean;
}

/** Verification counts of the whole range. */
export interface VerificationCounts {
  total: number;
  valid: number;
  /** Credits spent. */
  cost: number;
  /** Count per outcome, only outcomes that occurred. */
  outcomes: {
    VALID?: number;
    MALFORMED?: number;
    NOT_FOUND?: number;
    EXPIRED?: number;
    REVOKED?: number;
    DISABLED?: number;
    RATE_LIMITED?: number;
    USAGE_EXCEEDED?: number;
    INSUFFICIENT_SCOPE?: number;
    IP_NOT_ALLOWED?: number;
  };
}

/** The counts of one time bucket. */
export interface VerificationPoint {
  time: string;
  total: number;
  valid: number;
  /** Credits spent. */
  cost: number;
  /** Count per outcome, only outcomes that occurred. */
  outcomes: {
    VALID?: number;
    MALFORMED?: number;
    NOT_FOUND?: number;
    EXPIRED?: number;
    REVOKED?: number;
    DISABLED?: number;
    RATE_LIMITED?: number;
    USAGE_EXCEEDED?: number;
    INSUFFICIENT_SCOPE?: number;
    IP_NOT_ALLOWED?: number;
  };
}

export interface VerificationSeries {
  granularity: "minute" | "hour" | "day";
  from: string;
  to: string;
  /** What was counted: one key, owner or keyspace, or the whole workspace. */
  dimension: "key" | "owner" | "keyspace" | "workspace";
  /** The key, owner or keyspace id (the workspace id for `workspace`). */
  subject: string;
  totals: VerificationCounts;
  /** One point per bucket from `from` to `to`, empty buckets included. */
  series: Array<VerificationPoint>;
}

/** A webhook subscription; its signing secret is shown only on create and rotate. */
export interface Webhook {
  id: string;
  url: string;
  /** Event types, or `["*"]`. */
  events: Array<"*" | "key.created" | "key.rolled" | "key.revoked" | "key.deleted" | "key.expiring" | "key.rotation_due" | "key.credits_low" | "key.suspended" | "key.unsuspended" | "key.leaked" | "anomaly.detected" | "audit.checkpoint" | "oauth_client.secret_rotation_due" | "secret.rotation_failed" | "webhook.test">;
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
  eventType: "key.created" | "key.rolled" | "key.revoked" | "key.deleted" | "key.expiring" | "key.rotation_due" | "key.credits_low" | "key.suspended" | "key.unsuspended" | "key.leaked" | "anomaly.detected" | "audit.checkpoint" | "oauth_client.secret_rotation_due" | "secret.rotation_failed" | "webhook.test";
  status: "pending" | "succeeded" | "failed";
  attempts: number;
  nextAttemptAt: string | null;
  lastAttemptAt: string | null;
  /** The receiver's HTTP status on the last attempt. */
  responseStatus: number | null;
  /** Why the last attempt failed, by class. */
  lastError: "target_not_allowed" | "dns_failed" | "connection_failed" | "timeout" | "tls_error" | "http_status" | "subscription_disabled" | null;
  createdAt: string;
  deliveredAt: string | null;
  payload: WebhookEvent;
}

/** The JSON body sent, exactly as it was signed. */
export interface WebhookEvent {
  /** The event id (the same for every subscription it went to). */
  id: string;
  type: "key.created" | "key.rolled" | "key.revoked" | "key.deleted" | "key.expiring" | "key.rotation_due" | "key.credits_low" | "key.suspended" | "key.unsuspended" | "key.leaked" | "anomaly.detected" | "audit.checkpoint" | "oauth_client.secret_rotation_due" | "secret.rotation_failed" | "webhook.test";
  createdAt: string;
  workspaceId: string;
  /** The event's ids, names and numbers; never a secret. */
  data: {
    [name: string]: unknown;
  };
}

/** A webhook subscription with its new signing secret. */
export interface WebhookWithSecret {
  id: string;
  url: string;
  /** Event types, or `["*"]`. */
  events: Array<"*" | "key.created" | "key.rolled" | "key.revoked" | "key.deleted" | "key.expiring" | "key.rotation_due" | "key.credits_low" | "key.suspended" | "key.unsuspended" | "key.leaked" | "anomaly.detected" | "audit.checkpoint" | "oauth_client.secret_rotation_due" | "secret.rotation_failed" | "webhook.test">;
  enabled: boolean;
  /** The first characters of the signing secret, to tell secrets apart. */
  secretStart: string;
  createdAt: string;
  updatedAt: string;
  /** The signing secret: shown in this answer only. */
  secret: string;
}

/** A workspace: its keyspaces, keys, secrets, clients and audit entries are its own. */
export interface Workspace {
  id: string;
  name: string;
  createdAt: string;
}

/** Every management operation: its path and query parameters, body and success answer. */
export interface Operations {
  /** Recent usage events (raw, kept for the retention period), newest first */
  'GET /v1/analytics/events': {
    path: {};
    query: {
      keyId?: string;
      limit?: number;
      /** RFC 3339; default: 24 hours before `to` */
      from?: string;
      /** RFC 3339; default: now */
      to?: string;
    };
    body: undefined;
    response: {
      /** Newest first. */
      items: Array<UsageEvent>;
    };
  };
  /** The keys, owners, keyspaces, addresses or networks with the most verifications */
  'GET /v1/analytics/top': {
    path: {};
    query: {
      by: "key" | "owner" | "keyspace" | "ip" | "network";
      /** A verification outcome, as `POST /v1/keys/verify` answers it. */
      outcome?: "VALID" | "MALFORMED" | "NOT_FOUND" | "EXPIRED" | "REVOKED" | "DISABLED" | "RATE_LIMITED" | "USAGE_EXCEEDED" | "INSUFFICIENT_SCOPE" | "IP_NOT_ALLOWED";
      limit?: number;
      /** RFC 3339; default: 24 hours before `to` */
      from?: string;
      /** RFC 3339; default: now */
      to?: string;
    };
    body: undefined;
    response: TopVerifications;
  };
  /** Verifications over time, per key, owner, keyspace or the whole workspace */
  'GET /v1/analytics/verifications': {
    path: {};
    query: {
      keyId?: string;
      ownerId?: string;
      keyspaceId?: string;
      granularity?: "minute" | "hour" | "day";
      /** RFC 3339; default: 24 hours before `to` */
      from?: string;
      /** RFC 3339; default: now */
      to?: string;
    };
    body: undefined;
    response: VerificationSeries;
  };
  /** Anomalies found by the detectors, newest first */
  'GET /v1/anomalies': {
    path: {};
    query: {
      keyId?: string;
      /** RFC 3339 */
      since?: string;
      status?: "open" | "acknowledged" | "resolved";
      kind?: "new_network" | "new_country" | "rate_spike" | "unusual_hour" | "failed_burst" | "fleet_failures" | "revoked_key_used" | "expired_key_used" | "deleted_key_used" | "impossible_travel" | "honeytoken_used" | "key_leaked" | "login_failures" | "audit_tampered";
      limit?: number;
    };
    body: undefined;
    response: {
      /** Newest first. */
      items: Array<Anomaly>;
    };
  };
  /** One anomaly */
  'GET /v1/anomalies/{anomalyId}': {
    path: {
      anomalyId: string;
    };
    query: {};
    body: undefined;
    response: Anomaly;
  };
  /** Acknowledge an anomaly: someone is looking at it */
  'POST /v1/anomalies/{anomalyId}/acknowledge': {
    path: {
      anomalyId: string;
    };
    query: {};
    body: undefined;
    response: Anomaly;
  };
  /** Resolve an anomaly; `benign: true` teaches the detector that raised it */
  'POST /v1/anomalies/{anomalyId}/resolve': {
    path: {
      anomalyId: string;
    };
    query: {};
    body: {
      /** It was expected: the detector that raised it learns it (the network, hour, rate, source or volume) and does not raise it again. */
      benign?: boolean;
    };
    response: Anomaly;
  };
  /** Read the audit log, newest first */
  'GET /v1/audit': {
    path: {};
    query: {
      limit?: number;
      cursor?: string;
      /** Only entries of this action (`key.revoked`). */
      action?: string;
      /** Only this actor's entries: as the log writes it (`user:usr_…`, `root_key:rk_…`, `system`), a console user's email, or a root key's id or name. */
      actor?: string;
      /** Only entries about this target, by its id as the log writes it (`key_…`, `cli_…`): a key's history. */
      target?: string;
    };
    body: undefined;
    response: {
      /** Newest first. */
      items: Array<AuditEntry>;
      /** Pass it as `cursor` for the next page; null on the last page. */
      nextCursor: string | null;
    };
  };
  /** Sign a checkpoint of the audit chain head now (permission audit:checkpoint); 409 AUDIT_TAMPERED when the chain no longer holds the last checkpoint signed */
  'POST /v1/audit/checkpoints': {
    path: {};
    query: {};
    body: undefined;
    response: AuditCheckpoint | undefined;
  };
  /** The audit log as JSON lines, oldest first (with `checkpoints=true`, the signed checkpoints after the entries) */
  'GET /v1/audit/export': {
    path: {};
    query: {
      /** The first entry to export (default 1). */
      fromSeq?: number;
      /** Also the signed checkpoints, after the entries. */
      checkpoints?: boolean;
    };
    body: undefined;
    response: string;
  };
  /** Recompute the audit chain, check its signed checkpoints, and name the first entry that was changed, removed or reordered */
  'GET /v1/audit/verify': {
    path: {};
    query: {};
    body: undefined;
    response: AuditReport;
  };
  /** Target databases, without passwords */
  'GET /v1/databases/connections': {
    path: {};
    query: {};
    body: undefined;
    response: {
      items: Array<DatabaseConnection>;
    };
  };
  /** Delete a connection no role uses */
  'DELETE /v1/databases/connections/{name}': {
    path: {
      /** Lower-case letters, digits, `_` and `-`, starting with a letter or digit. */
      name: string;
    };
    query: {};
    body: undefined;
    response: undefined;
  };
  /** Register a target database, or replace its settings */
  'PUT /v1/databases/connections/{name}': {
    path: {
      /** Lower-case letters, digits, `_` and `-`, starting with a letter or digit. */
      name: string;
    };
    query: {};
    body: {
      host: string;
      /** Default 5432. */
      port?: number;
      database: string;
      /** `verify-full` (the default) checks the certificate and host name; `require` encrypts only; `disable` sends in the clear. */
      tlsMode?: "disable" | "require" | "verify-full";
      /** The admin login: CREATEROLE and `pg_signal_backend`. */
      username: string;
      /** Encrypted by the keyring; never shown again. */
      password: string;
    };
    response: DatabaseConnection;
  };
  /** Leases, newest first, with their revocation state (never a password) */
  'GET /v1/databases/leases': {
    path: {};
    query: {
      /** Lower-case letters, digits, `_` and `-`, starting with a letter or digit. */
      role?: string;
      state?: "active" | "revoking" | "revoked";
      limit?: number;
      cursor?: string;
    };
    body: undefined;
    response: {
      /** Newest first. */
      items: Array<DatabaseLease>;
      /** Pass it as `cursor` for the next page; null on the last page. */
      nextCursor: string | null;
    };
  };
  /** A lease and its revocation state */
  'GET /v1/databases/leases/{leaseId}': {
    path: {
      leaseId: string;
    };
    query: {};
    body: undefined;
    response: DatabaseLease;
  };
  /** Renew a lease, up to its role's maximum TTL */
  'POST /v1/databases/leases/{leaseId}/renew': {
    path: {
      leaseId: string;
    };
    query: {};
    body: {
      /** From now (default: the role's default TTL), never past the lease's maxExpiresAt. */
      incrementSeconds?: number;
    };
    response: DatabaseLease;
  };
  /** Revoke a lease: drop its login and end its sessions now */
  'POST /v1/databases/leases/{leaseId}/revoke': {
    path: {
      leaseId: string;
    };
    query: {};
    body: undefined;
    response: DatabaseLease;
  };
  /** Roles of dynamic credentials */
  'GET /v1/databases/roles': {
    path: {};
    query: {};
    body: undefined;
    response: {
      items: Array<DatabaseRole>;
    };
  };
  /** Delete a role none of whose leases is still open */
  'DELETE /v1/databases/roles/{name}': {
    path: {
      /** Lower-case letters, digits, `_` and `-`, starting with a letter or digit. */
      name: string;
    };
    query: {};
    body: undefined;
    response: undefined;
  };
  /** Write a role: the statements that make and drop its logins, and their TTLs */
  'PUT /v1/databases/roles/{name}': {
    path: {
      /** Lower-case letters, digits, `_` and `-`, starting with a letter or digit. */
      name: string;
    };
    query: {};
    body: {
      /** Lower-case letters, digits, `_` and `-`, starting with a letter or digit. */
      connection: string;
      creationStatements: string;
      revocationStatements?: string | null;
      renewStatements?: string | null;
      /** Default 3600. */
      defaultTtlSeconds?: number;
      /** Default: a day, or defaultTtlSeconds if longer. */
      maxTtlSeconds?: number;
    };
    response: DatabaseRole;
  };
  /** Request a credential: a fresh login and password with a lease */
  'POST /v1/databases/roles/{name}/credentials': {
    path: {
      /** Lower-case letters, digits, `_` and `-`, starting with a letter or digit. */
      name: string;
    };
    query: {};
    body: {
      /** Default: the role's default TTL; at most its maximum. */
      ttlSeconds?: number;
    };
    response: {
      username: string;
      /** Shown this once; Tessera keeps no copy. */
      password: string;
      host: string;
      port: number;
      database: string;
      tlsMode: "disable" | "require" | "verify-full";
      lease: DatabaseLease;
    };
  };
  /** Key change events for SDK caches (server-sent events: `ready`, then `invalidate` with {kind, id}) */
  'GET /v1/events': {
    path: {};
    query: {};
    body: undefined;
    response: string;
  };
  /** Create a honeytoken: a decoy key to plant where a thief would look; any use of it is a critical anomaly */
  'POST /v1/honeytokens': {
    path: {};
    query: {};
    body: {
      keyspaceId: string;
      name?: string | null;
      ownerId?: string | null;
      scopes?: Array<string>;
    };
    response: {
      keyId: string;
      /** The key itself: shown this once only. */
      key: string;
    };
  };
  /** Keys never used, unused for N days, expiring within N days, without expiry, and over-privileged (with a smaller scope set suggested) */
  'GET /v1/hygiene': {
    path: {};
    query: {
      keyspaceId: string;
      /** "Unused": no use for this many days (default 90). */
      unusedDays?: number;
      /** "Expiring soon": within this many days (default 14). */
      expiringDays?: number;
      /** Scopes no verification needed in this many days count as unexercised (default 30). */
      privilegeDays?: number;
    };
    body: undefined;
    response: HygieneReport;
  };
  /** Run the hygiene sweep now (it also runs every hour): notices, automatic expiry of unused keys */
  'POST /v1/hygiene/sweep': {
    path: {};
    query: {};
    body: undefined;
    response: SweepResult;
  };
  /** List keys of a keyspace, or of every keyspace */
  'GET /v1/keys': {
    path: {};
    query: {
      /** The keyspace. Without it: every keyspace of the workspace (a root key limited to keyspaces must name one). */
      keyspaceId?: string;
      ownerId?: string;
      /** Only keys with this text, in any case, in their name, id, owner id or visible start (`sk_live_3xR9`). */
      q?: string;
      /** Only keys in this state now: revoked first, then expired, then enabled (`active`) or not (`disabled`). */
      state?: "active" | "disabled" | "revoked" | "expired";
      limit?: number;
      cursor?: string;
    };
    body: undefined;
    response: {
      /** Oldest first. */
      items: Array<Key>;
      /** Pass it as `cursor` for the next page; null on the last page. */
      nextCursor: string | null;
    };
  };
  /** Create a key */
  'POST /v1/keys': {
    path: {};
    query: {};
    body: {
      keyspaceId: string;
      /** Expires this many seconds from now (or give `expiresAt`). */
      ttlSeconds?: number;
      ownerId?: string | null;
      name?: string | null;
      scopes?: Array<string>;
      meta?: {
        [name: string]: unknown;
      } | null;
      environment?: string | null;
      expiresAt?: string | null;
      ipAllowlist?: Array<string>;
      ratelimits?: Array<{
        name: string;
        limit: number;
        windowMs: number;
        /** Whose counter: the key's own (default), or one shared by all keys of the same owner. */
        identity?: "key" | "owner";
      }>;
      credits?: {
        remaining: number;
        refill?: {
          amount: number;
          intervalSeconds: number;
        } | null;
      } | null;
      enabled?: boolean;
    };
    response: {
      keyId: string;
      /** The key itself: shown this once only. */
      key: string;
    };
  };
  /** Delete a key (its record stays for the audit trail) */
  'DELETE /v1/keys/{keyId}': {
    path: {
      keyId: string;
    };
    query: {};
    body: undefined;
    response: undefined;
  };
  /** Get a key */
  'GET /v1/keys/{keyId}': {
    path: {
      keyId: string;
    };
    query: {};
    body: undefined;
    response: Key;
  };
  /** Update a key */
  'PATCH /v1/keys/{keyId}': {
    path: {
      keyId: string;
    };
    query: {};
    body: {
      ownerId?: string | null;
      name?: string | null;
      scopes?: Array<string>;
      meta?: {
        [name: string]: unknown;
      } | null;
      environment?: string | null;
      expiresAt?: string | null;
      ipAllowlist?: Array<string>;
      ratelimits?: Array<{
        name: string;
        limit: number;
        windowMs: number;
        /** Whose counter: the key's own (default), or one shared by all keys of the same owner. */
        identity?: "key" | "owner";
      }>;
      credits?: {
        remaining: number;
        refill?: {
          amount: number;
          intervalSeconds: number;
        } | null;
      } | null;
      enabled?: boolean;
    };
    response: Key;
  };
  /** Read back a key of a recoverable keyspace (permission keys:recover; audited) */
  'GET /v1/keys/{keyId}/recover': {
    path: {
      keyId: string;
    };
    query: {};
    body: undefined;
    response: {
      keyId: string;
      /** The key itself. */
      key: string;
    };
  };
  /** Revoke a key, at once and everywhere */
  'POST /v1/keys/{keyId}/revoke': {
    path: {
      keyId: string;
    };
    query: {};
    body: {
      reason?: string;
    };
    response: Key;
  };
  /** Roll a key: a new key now, the old one expires after the grace period */
  'POST /v1/keys/{keyId}/roll': {
    path: {
      keyId: string;
    };
    query: {};
    body: {
      /** How long the old key keeps working (0: it expires at once). With `retireWhenUnused`, the hard deadline. */
      gracePeriodSeconds: number;
      /** A usage-driven rollover: the old key keeps working until the new one is in use and the old one's traffic has stopped for `quietPeriodSeconds`, then retires by itself (or at the grace period's end, whichever first). Follow it at `GET /v1/keys/{keyId}/rollover`. */
      retireWhenUnused?: boolean;
      /** With `retireWhenUnused`: how long the old key's traffic must have stopped (default 86400, a day). 0: the old key is revoked as soon as the new one is seen in use (the retirement job's next pass, within about a minute). */
      quietPeriodSeconds?: number;
    };
    response: {
      keyId: string;
      /** The key itself: shown this once only. */
      key: string;
    };
  };
  /** The usage-driven rollover from a key: its successor, and when the key retires */
  'GET /v1/keys/{keyId}/rollover': {
    path: {
      keyId: string;
    };
    query: {};
    body: undefined;
    response: Rollover;
  };
  /** Report keys found where they should not be: each known live key is quarantined (suspended, undoable) or revoked */
  'POST /v1/keys/leaked': {
    path: {};
    query: {};
    body: {
      keys: Array<string>;
      source?: string;
      /** Default: `quarantine` (suspended, undoable). */
      action?: "quarantine" | "revoke";
    };
    response: {
      /** One per presented key, in order. */
      items: Array<LeakOutcome>;
    };
  };
  /** Revoke every key of one owner */
  'POST /v1/keys/revoke-by-owner': {
    path: {};
    query: {};
    body: {
      ownerId: string;
      reason?: string;
    };
    response: {
      revoked: number;
      keyIds: Array<string>;
    };
  };
  /** Verify a key */
  'POST /v1/keys/verify': {
    path: {};
    query: {};
    body: {
      /** The key the end client presented. */
      key: string;
      /** A scope, or an expression such as `a and (b or c)`. */
      scopes?: string;
      /** Only a key of this keyspace passes; any other answers NOT_FOUND, like an unknown key. */
      keyspaceId?: string;
      /** Only a key of this environment passes; any other (or none) answers NOT_FOUND, like an unknown key. */
      environment?: string;
      /** The end client's address (default: the caller's), for IP allowlists. */
      ip?: string;
      /** Credits to spend; 0 checks without spending. Default 1. */
      cost?: number;
      resource?: string;
      /** How it asked (an HTTP method, an operation name): kept in usage events. */
      method?: string;
      userAgent?: string;
    };
    response: {
      valid: boolean;
      /** Stable: `VALID`, or why the key does not pass (docs/api-keys.md). */
      code: "VALID" | "MALFORMED" | "NOT_FOUND" | "EXPIRED" | "REVOKED" | "DISABLED" | "RATE_LIMITED" | "USAGE_EXCEEDED" | "INSUFFICIENT_SCOPE" | "IP_NOT_ALLOWED";
      keyId?: string;
      keyspaceId?: string;
      ownerId?: string | null;
      name?: string | null;
      scopes?: Array<string>;
      meta?: {
        [name: string]: unknown;
      } | null;
      environment?: string | null;
      expiresAt?: string | null;
      credits?: {
        remaining: number;
      } | null;
      ratelimits?: Array<{
        name: string;
        limit: number;
        remaining: number;
        reset: string;
      }>;
    };
  };
  /** List keyspaces */
  'GET /v1/keyspaces': {
    path: {};
    query: {};
    body: undefined;
    response: {
      /** Oldest first; a root key limited to keyspaces sees those only. */
      items: Array<Keyspace>;
    };
  };
  /** Create a keyspace */
  'POST /v1/keyspaces': {
    path: {};
    query: {};
    body: {
      name: string;
      /** What the keyspace's keys start with, before `_`: a letter, then letters, digits and `_` (not last). */
      prefix: string;
      /** Keep each key encrypted, so `GET /v1/keys/{keyId}/recover` can read it back. Fixed at creation. */
      recoverable?: boolean;
    };
    response: Keyspace;
  };
  /** Get a keyspace */
  'GET /v1/keyspaces/{id}': {
    path: {
      id: string;
    };
    query: {};
    body: undefined;
    response: Keyspace;
  };
  /** Forward authentication: may a gateway's client request pass? */
  'GET /v1/keyspaces/{keyspaceId}/forward-auth': {
    path: {
      keyspaceId: string;
    };
    query: {};
    body: undefined;
    response: string;
  };
  /** A keyspace's gateway routes (none until set: every request is refused) */
  'GET /v1/keyspaces/{keyspaceId}/gateway-routes': {
    path: {
      keyspaceId: string;
    };
    query: {};
    body: undefined;
    response: {
      keyspaceId: string;
      keyHeader: string;
      rules: Array<{
        /** Upper-case method names; leave it out for every method. */
        methods?: Array<string>;
        path: string;
        /** A scope, or an expression such as `a and (b or c)`, the key needs; leave it out (or empty) for any valid key. */
        scopes?: string;
      }>;
      /** Access tokens for this audience are accepted too; null: API keys only. */
      audience: string | null;
      /** Null while none were ever set. */
      updatedAt: string | null;
    };
  };
  /** Replace a keyspace's gateway routes: the key header and the route rules, first match wins */
  'PUT /v1/keyspaces/{keyspaceId}/gateway-routes': {
    path: {
      keyspaceId: string;
    };
    query: {};
    body: {
      /** The header clients send their key in: `authorization` (as `Bearer <key>`, the default) or another, such as `x-api-key`. */
      keyHeader?: string;
      /** In order: the first rule that matches a request decides. */
      rules: Array<{
        /** Upper-case method names; leave it out for every method. */
        methods?: Array<string>;
        path: string;
        /** A scope, or an expression such as `a and (b or c)`, the key needs; leave it out (or empty) for any valid key. */
        scopes?: string;
      }>;
      /** Accept Tessera's own OAuth access tokens (JWT) issued for this audience too, as `Authorization: Bearer <token>`; leave it out for API keys only. */
      audience?: string;
    };
    response: {
      keyspaceId: string;
      keyHeader: string;
      rules: Array<{
        /** Upper-case method names; leave it out for every method. */
        methods?: Array<string>;
        path: string;
        /** A scope, or an expression such as `a and (b or c)`, the key needs; leave it out (or empty) for any valid key. */
        scopes?: string;
      }>;
      /** Access tokens for this audience are accepted too; null: API keys only. */
      audience: string | null;
      /** Null while none were ever set. */
      updatedAt: string | null;
    };
  };
  /** A keyspace's monitoring policy (defaults until set) */
  'GET /v1/keyspaces/{keyspaceId}/policy': {
    path: {
      keyspaceId: string;
    };
    query: {};
    body: undefined;
    response: KeyspacePolicy;
  };
  /** Set a keyspace's policy: alert only or suspend on anomalies, automatic expiry of unused keys, notices */
  'PUT /v1/keyspaces/{keyspaceId}/policy': {
    path: {
      keyspaceId: string;
    };
    query: {};
    body: {
      /** `alert`: record and notify. `suspend`: also disable the key (audited, undoable). */
      anomalyResponse?: "alert" | "suspend";
      /** The least severity that suspends, with `suspend`. */
      suspendMinSeverity?: "low" | "medium" | "high" | "critical";
      /** Keys unused this many days are scheduled to expire (null: never). */
      autoExpireUnusedDays?: number | null;
      /** Notice given before such a key expires; a use within it cancels the expiry. */
      autoExpireNoticeDays?: number;
      /** A `key.expiring` webhook goes out this many days before a key expires. */
      expiringNoticeDays?: number;
      /** A `key.credits_low` webhook goes out when credits fall to this (null: never). */
      creditsLowThreshold?: number | null;
      /** No key may be created or updated to expire later than this many days from now, nor to never expire (null: no limit). Setting it gives every live key without an expiry, or with a later one, an expiry at the limit. */
      maxKeyLifetimeDays?: number | null;
      /** A key is due for rotation this many days after it was made (null: no schedule). */
      rotationIntervalDays?: number | null;
      /** A `key.rotation_due` webhook goes out this many days before a key is due for rotation. */
      rotationNoticeDays?: number;
      /** A key not rolled by its due date keeps working this many days more, then expires. */
      rotationGraceDays?: number;
      /** Scales the detectors' thresholds for this keyspace: the margin over a baseline is divided by it (2: findings at half the usual excess; 0.5: at twice it). Default 1. */
      detectionSensitivity?: number;
      /** Hours of the day (UTC, 0–23) in which the keyspace's keys are not used: any use then is an `unusual_hour` finding, whatever the key's history. Default none. */
      quietHours?: Array<number>;
      /** Networks (CIDRs or single addresses) that are the keyspace's own — offices, data centres: a use from one is never a new network, new country or impossible travel. Default none. */
      knownNetworks?: Array<string>;
    };
    response: KeyspacePolicy;
  };
  /** A keyspace's portal settings (the defaults until set) */
  'GET /v1/keyspaces/{keyspaceId}/portal': {
    path: {
      keyspaceId: string;
    };
    query: {};
    body: undefined;
    response: {
      keyspaceId: string;
      /** The most live keys (not revoked, not expired) an owner may hold. */
      maxKeysPerOwner: number;
      /** The scopes an owner may give a key; empty: keys without scopes. */
      allowedScopes: Array<string>;
      /** The longest lifetime an owner may give a key. */
      maxLifetimeSeconds: number;
      /** Your application, as the portal names it (“Back to …”); null: the keyspace’s name. */
      appName: string | null;
      /** An `https:` image shown above the portal; null: none. */
      logoUrl: string | null;
      /** The portal’s accent colour, `#rgb` or `#rrggbb`; null: the default. */
      brandColor: string | null;
      /** Null: never set, the defaults. */
      updatedAt: string | null;
    };
  };
  /** Change a keyspace's portal settings: key owners' limits and the portal's branding */
  'PATCH /v1/keyspaces/{keyspaceId}/portal': {
    path: {
      keyspaceId: string;
    };
    query: {};
    body: {
      /** The most live keys (not revoked, not expired) an owner may hold. */
      maxKeysPerOwner?: number;
      /** The scopes an owner may give a key; empty: keys without scopes. */
      allowedScopes?: Array<string>;
      /** The longest lifetime an owner may give a key. */
      maxLifetimeSeconds?: number;
      /** Your application, as the portal names it (“Back to …”); null: the keyspace’s name. */
      appName?: string | null;
      /** An `https:` image shown above the portal; null: none. */
      logoUrl?: string | null;
      /** The portal’s accent colour, `#rgb` or `#rrggbb`; null: the default. */
      brandColor?: string | null;
    };
    response: {
      keyspaceId: string;
      /** The most live keys (not revoked, not expired) an owner may hold. */
      maxKeysPerOwner: number;
      /** The scopes an owner may give a key; empty: keys without scopes. */
      allowedScopes: Array<string>;
      /** The longest lifetime an owner may give a key. */
      maxLifetimeSeconds: number;
      /** Your application, as the portal names it (“Back to …”); null: the keyspace’s name. */
      appName: string | null;
      /** An `https:` image shown above the portal; null: none. */
      logoUrl: string | null;
      /** The portal’s accent colour, `#rgb` or `#rrggbb`; null: the default. */
      brandColor: string | null;
      /** Null: never set, the defaults. */
      updatedAt: string | null;
    };
  };
  /** List OAuth clients */
  'GET /v1/oauth/clients': {
    path: {};
    query: {
      limit?: number;
      cursor?: string;
    };
    body: undefined;
    response: {
      items: Array<OAuthClient>;
      nextCursor: string | null;
    };
  };
  /** Create an OAuth client; a secret-based client’s secret is in this answer only */
  'POST /v1/oauth/clients': {
    path: {};
    query: {};
    body: {
      name: string;
      /** Scopes the client may be granted; wildcards such as `invoices:*` allowed. */
      scopes?: Array<string>;
      /** Audiences its tokens may name, the first by default; each belongs to one workspace. */
      audience?: Array<string>;
      grantTypes?: Array<"client_credentials" | "authorization_code" | "refresh_token" | "urn:ietf:params:oauth:grant-type:token-exchange" | "urn:ietf:params:oauth:grant-type:device_code">;
      /** Where users may be sent after signing out (OpenID Connect RP-Initiated Logout 1.0 `post_logout_redirect_uri`), matched exactly; the same forms as redirectUris. */
      postLogoutRedirectUris?: Array<string>;
      /** Browser origins (`https://app.example.com`, or `http` on 127.0.0.1 or [::1] with its port) whose pages may call the token, revocation and userinfo endpoints: CORS answers name these origins exactly and no other. */
      webOrigins?: Array<string>;
      /** For `authorization_code`: where users are sent back, matched exactly; `https`, `http` on 127.0.0.1 or [::1] (any port, RFC 8252 §7.3), or a reverse-domain private-use scheme. */
      redirectUris?: Array<string>;
      /** How the client authenticates: a secret (Basic or in the form), `private_key_jwt`, or `none` for a public client (a browser, native or device app; authorization code with PKCE, the device code grant and refresh only). */
      tokenEndpointAuthMethod?: "client_secret_basic" | "client_secret_post" | "private_key_jwt" | "none";
      jwks?: {
        keys: Array<{
          kty: string;
          use?: string;
          key_ops?: Array<string>;
          alg?: string;
          kid?: string;
          x5c?: Array<string>;
          x5t?: string;
          'x5t#S256'?: string;
          crv?: string;
          x?: string;
          y?: string;
          n?: string;
          e?: string;
        }>;
      } | null;
      /** A JWT (RFC 9068) verified locally, or an opaque token introspected. */
      accessTokenFormat?: "jwt" | "opaque";
      /** EdDSA (default), ES256, RS256 or the post-quantum ML-DSA-65. */
      signingAlg?: "EdDSA" | "ES256" | "RS256" | "ML-DSA-65";
      /** Seconds an access token lives. Default 300. */
      accessTokenTtl?: number;
      /** Seconds a refresh token lives unused. Default 7 days. */
      refreshTokenTtl?: number;
      /** Seconds a just-rotated refresh token may be presented once more. Default 0. */
      refreshGraceSeconds?: number;
      /** Seconds a refresh family lives from its first token, however often it rotates. Default 30 days. */
      refreshFamilyLifetime?: number;
      /** Every access token must be DPoP-bound (RFC 9449 §5.2). */
      dpopBound?: boolean;
      /** DPoP proofs must carry a server nonce (RFC 9449 §8). */
      dpopNonce?: boolean;
      /** Authorization requests must be pushed first (RFC 9126 §6 `require_pushed_authorization_requests`); one sent straight to the authorization endpoint is refused with `invalid_request`. Needs `authorization_code`. Default false. */
      requirePar?: boolean;
      secretRotation?: {
        /** The secret falls due this many days after it was issued. */
        intervalDays: number;
        /** Seconds both secrets work when it is rotated (the default grace of rotate-secret). Default 7 days, at most half the interval; shorter than the interval. */
        overlapSeconds?: number;
      } | null;
    };
    response: OAuthClientWithSecret;
  };
  /** Delete an OAuth client; its secrets stop working */
  'DELETE /v1/oauth/clients/{clientId}': {
    path: {
      clientId: string;
    };
    query: {};
    body: undefined;
    response: undefined;
  };
  /** Get an OAuth client */
  'GET /v1/oauth/clients/{clientId}': {
    path: {
      clientId: string;
    };
    query: {};
    body: undefined;
    response: OAuthClient;
  };
  /** Update an OAuth client; every node reads it afresh */
  'PATCH /v1/oauth/clients/{clientId}': {
    path: {
      clientId: string;
    };
    query: {};
    body: {
      name?: string;
      /** Scopes the client may be granted; wildcards such as `invoices:*` allowed. */
      scopes?: Array<string>;
      /** Audiences its tokens may name, the first by default; each belongs to one workspace. */
      audience?: Array<string>;
      grantTypes?: Array<"client_credentials" | "authorization_code" | "refresh_token" | "urn:ietf:params:oauth:grant-type:token-exchange" | "urn:ietf:params:oauth:grant-type:device_code">;
      /** Where users may be sent after signing out (OpenID Connect RP-Initiated Logout 1.0 `post_logout_redirect_uri`), matched exactly; the same forms as redirectUris. */
      postLogoutRedirectUris?: Array<string>;
      /** Browser origins (`https://app.example.com`, or `http` on 127.0.0.1 or [::1] with its port) whose pages may call the token, revocation and userinfo endpoints: CORS answers name these origins exactly and no other. */
      webOrigins?: Array<string>;
      /** For `authorization_code`: where users are sent back, matched exactly; `https`, `http` on 127.0.0.1 or [::1] (any port, RFC 8252 §7.3), or a reverse-domain private-use scheme. */
      redirectUris?: Array<string>;
      /** How the client authenticates: a secret (Basic or in the form), `private_key_jwt`, or `none` for a public client (a browser, native or device app; authorization code with PKCE, the device code grant and refresh only). */
      tokenEndpointAuthMethod?: "client_secret_basic" | "client_secret_post" | "private_key_jwt" | "none";
      jwks?: {
        keys: Array<{
          kty: string;
          use?: string;
          key_ops?: Array<string>;
          alg?: string;
          kid?: string;
          x5c?: Array<string>;
          x5t?: string;
          'x5t#S256'?: string;
          crv?: string;
          x?: string;
          y?: string;
          n?: string;
          e?: string;
        }>;
      } | null;
      /** A JWT (RFC 9068) verified locally, or an opaque token introspected. */
      accessTokenFormat?: "jwt" | "opaque";
      /** EdDSA (default), ES256, RS256 or the post-quantum ML-DSA-65. */
      signingAlg?: "EdDSA" | "ES256" | "RS256" | "ML-DSA-65";
      /** Seconds an access token lives. Default 300. */
      accessTokenTtl?: number;
      /** Seconds a refresh token lives unused. Default 7 days. */
      refreshTokenTtl?: number;
      /** Seconds a just-rotated refresh token may be presented once more. Default 0. */
      refreshGraceSeconds?: number;
      /** Seconds a refresh family lives from its first token, however often it rotates. Default 30 days. */
      refreshFamilyLifetime?: number;
      /** Every access token must be DPoP-bound (RFC 9449 §5.2). */
      dpopBound?: boolean;
      /** DPoP proofs must carry a server nonce (RFC 9449 §8). */
      dpopNonce?: boolean;
      /** Authorization requests must be pushed first (RFC 9126 §6 `require_pushed_authorization_requests`); one sent straight to the authorization endpoint is refused with `invalid_request`. Needs `authorization_code`. Default false. */
      requirePar?: boolean;
      secretRotation?: {
        /** The secret falls due this many days after it was issued. */
        intervalDays: number;
        /** Seconds both secrets work when it is rotated (the default grace of rotate-secret). Default 7 days, at most half the interval; shorter than the interval. */
        overlapSeconds?: number;
      } | null;
    };
    response: OAuthClient;
  };
  /** Issue a new client secret; the old one works for the grace period */
  'POST /v1/oauth/clients/{clientId}/rotate-secret': {
    path: {
      clientId: string;
    };
    query: {};
    body: {
      /** Seconds the secrets in use keep working, so deployments roll over. Default: the overlap of the client's rotation schedule, else 0 (they stop now). */
      gracePeriodSeconds?: number;
    };
    response: OAuthClientSecret;
  };
  /** The signing keys and the role each plays now (next, current, previous) */
  'GET /v1/oauth/signing-keys': {
    path: {};
    query: {};
    body: undefined;
    response: {
      items: Array<OAuthSigningKey>;
    };
  };
  /** Retire a signing key now (emergency): out of the JWKS, its tokens refused, a successor signs */
  'POST /v1/oauth/signing-keys/{kid}/retire': {
    path: {
      /** The key id, as in the JWKS and the token header. */
      kid: string;
    };
    query: {};
    body: {
      /** Why, for the audit log (no secrets). */
      reason?: string;
    };
    response: {
      kid: string;
      /** The role the key played when it was retired. */
      state: "next" | "current" | "previous";
      /** The key that signs in its place from now on, when the retired key was signing. */
      successor: string | null;
    };
  };
  /** List upstream OpenID Providers */
  'GET /v1/oauth/upstream-providers': {
    path: {};
    query: {};
    body: undefined;
    response: {
      items: Array<UpstreamProvider>;
    };
  };
  /** Register an upstream OpenID Provider */
  'POST /v1/oauth/upstream-providers': {
    path: {};
    query: {};
    body: {
      /** Shown as “Sign in with <name>”; unique in the workspace. */
      name: string;
      /** Its issuer identifier: `<issuer>/.well-known/openid-configuration` is read now. HTTPS (HTTP on loopback only). */
      issuer: string;
      clientId: string;
      /** Kept encrypted under the workspace’s data key; never shown. */
      clientSecret: string;
      /** Default `openid email profile`; `openid` always. */
      scopes?: Array<string>;
      /** Which upstream claims fill the end user’s fields. */
      claimMapping?: {
        /** The claim that holds the email. Default `email`. */
        email?: string;
        /** The claim that says the email is verified (`true`). Default `email_verified`. */
        emailVerified?: string;
        /** The claim that holds the name. Default `name`. */
        name?: string;
      };
    };
    response: UpstreamProvider;
  };
  /** Remove an upstream OpenID Provider and unlink the accounts linked to it */
  'DELETE /v1/oauth/upstream-providers/{providerId}': {
    path: {
      providerId: string;
    };
    query: {};
    body: undefined;
    response: undefined;
  };
  /** Get an upstream OpenID Provider */
  'GET /v1/oauth/upstream-providers/{providerId}': {
    path: {
      providerId: string;
    };
    query: {};
    body: undefined;
    response: UpstreamProvider;
  };
  /** Hand a key owner a portal session: a single-use link to manage their own keys */
  'POST /v1/portal/sessions': {
    path: {};
    query: {};
    body: {
      /** The key owner the portal acts for, as keys carry it in `ownerId`. */
      ownerId: string;
      /** The keyspace whose keys the owner manages. */
      keyspaceId: string;
      /** Where the portal’s back link goes: an absolute `https:` URL, or `http:` on a loopback host. */
      returnUrl: string;
    };
    response: {
      /** The portal session’s id, as the audit log names it. */
      id: string;
      /** Send the owner’s browser here. It opens the portal once, within five minutes. */
      url: string;
      /** Until when the URL opens the portal. */
      expiresAt: string;
    };
  };
  /** Usage-driven rollovers of a keyspace, or of the workspace's: which clients switched, which did not */
  'GET /v1/rollovers': {
    path: {};
    query: {
      /** The keyspace. Without it: every keyspace of the workspace (a root key limited to keyspaces must name one). */
      keyspaceId?: string;
      /** Only rollovers still open (the default: all), or ended. */
      state?: "open" | "retired";
      limit?: number;
    };
    body: undefined;
    response: {
      /** Newest first. */
      items: Array<Rollover>;
    };
  };
  /** List root keys */
  'GET /v1/root-keys': {
    path: {};
    query: {};
    body: undefined;
    response: {
      /** Oldest first; a root key limited to keyspaces sees those within its own only. */
      items: Array<RootKey>;
    };
  };
  /** Create a root key */
  'POST /v1/root-keys': {
    path: {};
    query: {};
    body: {
      name: string;
      /** Permissions (`keys:create`), resource wildcards (`keys:*`), `*`, or secret grants for a name pattern (`secrets:read:payments/*`); at most what the creating root key holds. */
      permissions: Array<string>;
      workspaceId?: string;
      expiresAt?: string | null;
      /** CIDRs the root key may be used from. */
      ipAllowlist?: Array<string>;
      /** Limits the root key to these keyspaces (null or absent: the whole workspace). */
      keyspaceIds?: Array<string> | null;
      /** Workspaces it reaches besides its own, each one the creating root key reaches (see docs/workspaces.md). */
      otherWorkspaceIds?: Array<string>;
    };
    response: {
      id: string;
      /** The root key itself: shown this once only. */
      key: string;
    };
  };
  /** Revoke a root key */
  'POST /v1/root-keys/{id}/revoke': {
    path: {
      id: string;
    };
    query: {};
    body: undefined;
    response: RootKey;
  };
  /** Roll a root key: a new key now, the old one expires after the grace period */
  'POST /v1/root-keys/{id}/roll': {
    path: {
      id: string;
    };
    query: {};
    body: {
      /** How long the old key keeps working (0: it expires at once). With `retireWhenUnused`, the hard deadline. */
      gracePeriodSeconds: number;
    };
    response: {
      id: string;
      /** The root key itself: shown this once only. */
      key: string;
    };
  };
  /** Every secret rotation the root key may read */
  'GET /v1/secret-rotations': {
    path: {};
    query: {};
    body: undefined;
    response: {
      /** Rotations of the secrets the root key may read. */
      items: Array<SecretRotation>;
    };
  };
  /** Clear a secret's rotation (its versions stay) */
  'DELETE /v1/secret-rotations/{*}': {
    path: {
      /** The secret's name: segments of letters, digits, `_`, `.`, `-`, joined by `/`. */
      '*': string;
    };
    query: {};
    body: undefined;
    response: undefined;
  };
  /** A secret's rotation: rotator, schedule, next rotation and last result */
  'GET /v1/secret-rotations/{*}': {
    path: {
      /** The secret's name: segments of letters, digits, `_`, `.`, `-`, joined by `/`. */
      '*': string;
    };
    query: {};
    body: undefined;
    response: SecretRotation;
  };
  /** Rotate a secret now, whatever its schedule */
  'POST /v1/secret-rotations/{*}': {
    path: {
      /** The secret's name: segments of letters, digits, `_`, `.`, `-`, joined by `/`. */
      '*': string;
    };
    query: {};
    body: undefined;
    response: {
      secret: string;
      rotator: "postgres-alternating" | "webhook";
      connection?: string;
      usernames?: Array<string>;
      url?: string;
      /** Every N days (`30d`) or hours (`12h`); null: only when asked (`POST /v1/secret-rotations/{name}`). */
      every: string | null;
      /** `rotating`: a node is attempting it now. */
      state: "idle" | "rotating";
      /** A new value awaits confirmation (readers still get the current version). */
      pending: boolean;
      /** The next scheduled rotation, or retry after a failure; null: none scheduled. */
      nextRotationAt: string | null;
      /** Failed attempts since the last success. */
      attempts: number;
      lastAttemptAt: string | null;
      lastResult: "succeeded" | "failed" | null;
      /** Why the last attempt failed; never a secret. */
      lastError: string | null;
      lastRotatedAt: string | null;
      /** The new current version; null when the attempt failed (see lastError). */
      version: number | null;
    };
  };
  /** Set a secret's rotator and schedule */
  'PUT /v1/secret-rotations/{*}': {
    path: {
      /** The secret's name: segments of letters, digits, `_`, `.`, `-`, joined by `/`. */
      '*': string;
    };
    query: {};
    body: {
      rotator: "postgres-alternating";
      /** A database connection (`PUT /v1/databases/connections/{name}`). */
      connection: string;
      /** The two logins that take turns (A, B); both exist, with the same grants. */
      usernames: Array<string>;
      /** Every N days (`30d`) or hours (`12h`); null: only when asked (`POST /v1/secret-rotations/{name}`). */
      every: string | null;
    } | {
      rotator: "webhook";
      /** The endpoint that makes and confirms credentials: https. */
      url: string;
      /** Every N days (`30d`) or hours (`12h`); null: only when asked (`POST /v1/secret-rotations/{name}`). */
      every: string | null;
    };
    response: {
      secret: string;
      rotator: "postgres-alternating" | "webhook";
      connection?: string;
      usernames?: Array<string>;
      url?: string;
      /** Every N days (`30d`) or hours (`12h`); null: only when asked (`POST /v1/secret-rotations/{name}`). */
      every: string | null;
      /** `rotating`: a node is attempting it now. */
      state: "idle" | "rotating";
      /** A new value awaits confirmation (readers still get the current version). */
      pending: boolean;
      /** The next scheduled rotation, or retry after a failure; null: none scheduled. */
      nextRotationAt: string | null;
      /** Failed attempts since the last success. */
      attempts: number;
      lastAttemptAt: string | null;
      lastResult: "succeeded" | "failed" | null;
      /** Why the last attempt failed; never a secret. */
      lastError: string | null;
      lastRotatedAt: string | null;
      /** A webhook rotator's signing secret: shown once, when it is made (the first time a webhook rotator is set). */
      signingSecret?: string;
    };
  };
  /** List secrets without their values; `rotation=due` reports those due or overdue for rotation */
  'GET /v1/secrets': {
    path: {};
    query: {
      /** Only those due or overdue for rotation. */
      rotation?: "due";
    };
    body: undefined;
    response: {
      /** Those the root key may read or write. */
      items: Array<SecretSummary>;
    };
  };
  /** Delete a secret and destroy every version it kept */
  'DELETE /v1/secrets/{*}': {
    path: {
      /** The secret's name: segments of letters, digits, `_`, `.`, `-`, joined by `/`. */
      '*': string;
    };
    query: {};
    body: undefined;
    response: undefined;
  };
  /** Read a secret (audited) */
  'GET /v1/secrets/{*}': {
    path: {
      /** The secret's name: segments of letters, digits, `_`, `.`, `-`, joined by `/`. */
      '*': string;
    };
    query: {
      /** Default: the current one. */
      version?: number;
    };
    body: undefined;
    response: {
      name: string;
      version: number;
      value: string;
      rotateBy: string | null;
      createdAt: string;
    };
  };
  /** Store a new version of a secret */
  'PUT /v1/secrets/{*}': {
    path: {
      /** The secret's name: segments of letters, digits, `_`, `.`, `-`, joined by `/`. */
      '*': string;
    };
    query: {};
    body: {
      /** At most 64 KiB of UTF-8. */
      value: string;
      /** When it should be rotated; absent: as before, null: never. */
      rotateBy?: string | null;
    };
    response: {
      name: string;
      /** The version just written. */
      version: number;
      rotateBy: string | null;
    };
  };
  /** Keys suspended by a policy or a leak report */
  'GET /v1/suspensions': {
    path: {};
    query: {
      keyId?: string;
      active?: boolean;
    };
    body: undefined;
    response: {
      /** Newest first, at most 500. */
      items: Array<Suspension>;
    };
  };
  /** Undo a suspension: the key is enabled again as it was */
  'POST /v1/suspensions/{suspensionId}/undo': {
    path: {
      suspensionId: string;
    };
    query: {};
    body: undefined;
    response: Suspension;
  };
  /** List end users */
  'GET /v1/users': {
    path: {};
    query: {
      limit?: number;
      cursor?: string;
    };
    body: undefined;
    response: {
      items: Array<EndUser>;
      nextCursor: string | null;
    };
  };
  /** Create an end user */
  'POST /v1/users': {
    path: {};
    query: {};
    body: {
      /** Unique in the workspace; kept lower-cased. */
      email: string;
      /** At least 12 characters; kept as an argon2id hash. */
      password: string;
      name?: string;
      /** Whether you checked the email belongs to the user. Default false. */
      emailVerified?: boolean;
    };
    response: EndUser;
  };
  /** Delete an end user and their consents; their refresh tokens stop working */
  'DELETE /v1/users/{userId}': {
    path: {
      userId: string;
    };
    query: {};
    body: undefined;
    response: undefined;
  };
  /** Get an end user */
  'GET /v1/users/{userId}': {
    path: {
      userId: string;
    };
    query: {};
    body: undefined;
    response: EndUser;
  };
  /** Disable an end user: no sign-in, no refresh */
  'POST /v1/users/{userId}/disable': {
    path: {
      userId: string;
    };
    query: {};
    body: undefined;
    response: EndUser;
  };
  /** Enable an end user again */
  'POST /v1/users/{userId}/enable': {
    path: {
      userId: string;
    };
    query: {};
    body: undefined;
    response: EndUser;
  };
  /** List the apps a user granted access, with their scopes and live refresh tokens */
  'GET /v1/users/{userId}/grants': {
    path: {
      userId: string;
    };
    query: {};
    body: undefined;
    response: {
      items: Array<{
        clientId: string;
        /** Null when the client was deleted since. */
        clientName: string | null;
        /** The scopes the user consented to; empty when only a grant remains. */
        scopes: Array<string>;
        /** When the user first allowed the app; null without a consent. */
        grantedAt: string | null;
        /** When the consent last changed. */
        updatedAt: string | null;
        /** Refresh-token families alive: apps or devices holding a refresh token of the user. */
        activeGrants: number;
      }>;
    };
  };
  /** Revoke an app’s access: its consent is forgotten and its refresh tokens stop working */
  'DELETE /v1/users/{userId}/grants/{clientId}': {
    path: {
      userId: string;
      clientId: string;
    };
    query: {};
    body: undefined;
    response: undefined;
  };
  /** Reset an end user’s second factor (TOTP and passkeys): they sign in with their password until they enrol again */
  'DELETE /v1/users/{userId}/second-factor': {
    path: {
      userId: string;
    };
    query: {};
    body: undefined;
    response: EndUser;
  };
  /** End every sign-in of a user, revoke all their grants and forget their consents */
  'POST /v1/users/{userId}/sessions/end': {
    path: {
      userId: string;
    };
    query: {};
    body: undefined;
    response: {
      /** Refresh-token families revoked. */
      familiesRevoked: number;
      /** Consents forgotten: the next sign-in to those apps asks again. */
      consentsForgotten: number;
    };
  };
  /** Webhook subscriptions */
  'GET /v1/webhooks': {
    path: {};
    query: {};
    body: undefined;
    response: {
      items: Array<Webhook>;
    };
  };
  /** Subscribe a URL to events; the signing secret is in this answer only */
  'POST /v1/webhooks': {
    path: {};
    query: {};
    body: {
      url: string;
      /** Event types, or `["*"]` for all. */
      events: Array<"*" | "key.created" | "key.rolled" | "key.revoked" | "key.deleted" | "key.expiring" | "key.rotation_due" | "key.credits_low" | "key.suspended" | "key.unsuspended" | "key.leaked" | "anomaly.detected" | "audit.checkpoint" | "oauth_client.secret_rotation_due" | "secret.rotation_failed">;
      enabled?: boolean;
    };
    response: WebhookWithSecret;
  };
  /** Delete a subscription and its delivery log */
  'DELETE /v1/webhooks/{webhookId}': {
    path: {
      webhookId: string;
    };
    query: {};
    body: undefined;
    response: undefined;
  };
  /** One subscription */
  'GET /v1/webhooks/{webhookId}': {
    path: {
      webhookId: string;
    };
    query: {};
    body: undefined;
    response: Webhook;
  };
  /** Change the URL, the events or whether it is enabled */
  'PATCH /v1/webhooks/{webhookId}': {
    path: {
      webhookId: string;
    };
    query: {};
    body: {
      url?: string;
      /** Event types, or `["*"]` for all. */
      events?: Array<"*" | "key.created" | "key.rolled" | "key.revoked" | "key.deleted" | "key.expiring" | "key.rotation_due" | "key.credits_low" | "key.suspended" | "key.unsuspended" | "key.leaked" | "anomaly.detected" | "audit.checkpoint" | "oauth_client.secret_rotation_due" | "secret.rotation_failed">;
      enabled?: boolean;
    };
    response: Webhook;
  };
  /** The delivery log, newest first */
  'GET /v1/webhooks/{webhookId}/deliveries': {
    path: {
      webhookId: string;
    };
    query: {
      limit?: number;
      cursor?: string;
    };
    body: undefined;
    response: {
      /** Newest first. */
      items: Array<WebhookDelivery>;
      /** Pass as `cursor` for the next page; null on the last one. */
      nextCursor: string | null;
    };
  };
  /** A new signing secret, shown once; the old one stops at once */
  'POST /v1/webhooks/{webhookId}/rotate-secret': {
    path: {
      webhookId: string;
    };
    query: {};
    body: undefined;
    response: WebhookWithSecret;
  };
  /** Send a `webhook.test` event now; answers with the delivery */
  'POST /v1/webhooks/{webhookId}/test': {
    path: {
      webhookId: string;
    };
    query: {};
    body: undefined;
    response: WebhookDelivery;
  };
  /** The brand of the hosted pages */
  'GET /v1/workspace/branding': {
    path: {};
    query: {};
    body: undefined;
    response: {
      /** Shown above each page’s heading; null: none. */
      name: string | null;
      /** An https: image shown above the heading; null: none. */
      logoUrl: string | null;
      /** The accent colour of buttons and links, #rgb or #rrggbb; null: Tessera’s blue. */
      color: string | null;
    };
  };
  /** Change the brand of the hosted pages: name, logo, colour */
  'PATCH /v1/workspace/branding': {
    path: {};
    query: {};
    body: {
      name?: string | null;
      /** An absolute https: URL without credentials. */
      logoUrl?: string | null;
      color?: string | null;
    };
    response: {
      /** Shown above each page’s heading; null: none. */
      name: string | null;
      /** An https: image shown above the heading; null: none. */
      logoUrl: string | null;
      /** The accent colour of buttons and links, #rgb or #rrggbb; null: Tessera’s blue. */
      color: string | null;
    };
  };
  /** List the workspaces the caller reaches */
  'GET /v1/workspaces': {
    path: {};
    query: {
      limit?: number;
      cursor?: string;
    };
    body: undefined;
    response: {
      /** The workspaces the caller reaches, by id. */
      items: Array<Workspace>;
      /** Pass it as `cursor` for the next page; null on the last page. */
      nextCursor: string | null;
    };
  };
  /** Create a workspace, and optionally its first root key */
  'POST /v1/workspaces': {
    path: {};
    query: {};
    body: {
      name: string;
      /** A first root key for the new workspace, shown once in the answer. */
      rootKey?: {
        name: string;
        /** At most what the creating root key holds. */
        permissions: Array<string>;
      };
    };
    response: {
      workspace: Workspace;
      /** The first root key, when one was asked for. */
      rootKey?: {
        id: string;
        /** The root key itself: shown this once only. */
        key: string;
      };
    };
  };
  /** Get a workspace the caller reaches */
  'GET /v1/workspaces/{id}': {
    path: {
      id: string;
    };
    query: {};
    body: undefined;
    response: Workspace;
  };
  /** Rename a workspace the caller reaches */
  'PATCH /v1/workspaces/{id}': {
    path: {
      id: string;
    };
    query: {};
    body: {
      name: string;
    };
    response: Workspace;
  };
}

/** The web console's own API (session cookie and CSRF token): the same, for the console. */
export interface ConsoleOperations {
  /** Enrol TOTP, step one: a new secret */
  'POST /console/api/enrolment': {
    path: {};
    query: {};
    body: undefined;
    response: {
      /** The TOTP secret, base32, for typing into an authenticator app. */
      secret: string;
      /** The `otpauth://totp/…` URI authenticator apps read from a QR code. */
      uri: string;
    };
  };
  /** Enrol TOTP, step two: a code proves the app holds the secret */
  'POST /console/api/enrolment/confirm': {
    path: {};
    query: {};
    body: {
      /** The six digits the authenticator app shows now. */
      code: string;
    };
    response: {
      user: {
        id: string;
        /** Its home workspace, where it is listed and managed; in a session’s answer, the workspace the session acts in. */
        workspaceId: string;
        /** The other workspaces it reaches (its role holds in each); the console names one with `Tessera-Workspace`. */
        otherWorkspaceIds: Array<string>;
        email: string;
        name: string | null;
        /** `owner` (everything), `admin` (keys, keyspaces, OAuth, secrets, webhooks; not users or root keys), `viewer` (reads). */
        role: "owner" | "admin" | "viewer";
        /** Whether the TOTP second factor is set up (it is at the first sign-in). */
        totpEnrolled: boolean;
        recoveryCodesLeft: number;
        /** Locked after repeated failed second factors; `PATCH` with `unlock` lifts it. */
        locked: boolean;
        disabled: boolean;
        createdAt: string;
        lastLoginAt: string | null;
      };
      stage: "full";
      /** The user's role as the permissions of the management API. */
      permissions: Array<string>;
      /** Send it as `X-CSRF-Token` with every request that changes something. */
      csrfToken: string;
      /** The session ends after this long without a request. */
      idleTimeoutSeconds: number;
      /** The session ends then, whatever the activity. */
      expiresAt: string;
      /** Pages whose API this build serves. */
      capabilities: {
        secrets: boolean;
        oauthClients: boolean;
        anomalies: boolean;
        hygiene: boolean;
        webhooks: boolean;
        keyring: boolean;
      };
      /** The workspace this request acted in: the one `Tessera-Workspace` named, or the home. */
      workspaceId: string;
      /** Every workspace the user reaches, its home first. */
      workspaceIds: Array<string>;
      /** Ten single-use codes that stand in for a TOTP code. Shown once. */
      recoveryCodes: Array<string>;
    };
  };
  /** The keyring: KEK provider and versions, pepper versions, data keys */
  'GET /console/api/keyring': {
    path: {};
    query: {};
    body: undefined;
    response: {
      /** Where the key-encryption key is kept (`local`, `pkcs11`, …). */
      provider: string;
      kekVersion: number;
      pepperVersion: number;
      pepperVersions: Array<number>;
      dataKeys: Array<{
        /** The workspace the data key serves, or `instance`. */
        scope: string;
        version: number;
        kekVersion: number;
        /** `current`: new ciphertexts use it; `retired`: it only decrypts older ones. */
        state: "current" | "retired";
        /** Still wrapped under an older KEK version than the current one. */
        rewrapPending: boolean;
      }>;
    };
  };
  /** A key's verifications per minute and its latest ones */
  'GET /console/api/keys/{keyId}/usage': {
    path: {
      keyId: string;
    };
    query: {};
    body: undefined;
    response: {
      windowMinutes: number;
      /** Counted by the node that answered, in memory. */
      scope: "node";
      /** One point per minute of the window, oldest first, with counts by verify outcome. */
      series: Array<{
        minute: string;
        counts: {
          [name: string]: number;
        };
      }>;
      /** The key's latest verifications on this node, newest first. */
      recent: Array<{
        at: string;
        /** The verify outcome (`VALID`, `EXPIRED`, …). */
        code: string;
        ip: string | null;
      }>;
    };
  };
  /** Sign in, step one: the password */
  'POST /console/api/login': {
    path: {};
    query: {};
    body: {
      email: string;
      password: string;
    };
    response: {
      /** `totp`: send a second factor; `enroll`: set up TOTP first. */
      next: "totp" | "enroll";
      /** Send it as `X-CSRF-Token` with the next step. */
      csrfToken: string;
    };
  };
  /** Sign in, step two with a passkey: the challenge */
  'POST /console/api/login/passkey/options': {
    path: {};
    query: {};
    body: undefined;
    response: {
      challenge: string;
      timeout?: number;
      rpId?: string;
      allowCredentials?: Array<{
        id: string;
        type: string;
        transports?: Array<string>;
      }>;
      userVerification?: string;
      hints?: Array<string>;
      extensions?: {
        [name: string]: unknown;
      };
      [name: string]: unknown;
    };
  };
  /** Sign in, step two with a passkey: the assertion */
  'POST /console/api/login/passkey/verify': {
    path: {};
    query: {};
    body: {
      response: {
        id: string;
        rawId: string;
        type: "public-key";
        response: {
          clientDataJSON: string;
          [name: string]: unknown;
        };
        clientExtensionResults: {
          [name: string]: unknown;
        };
        authenticatorAttachment?: string;
      };
    };
    response: {
      user: {
        id: string;
        /** Its home workspace, where it is listed and managed; in a session’s answer, the workspace the session acts in. */
        workspaceId: string;
        /** The other workspaces it reaches (its role holds in each); the console names one with `Tessera-Workspace`. */
        otherWorkspaceIds: Array<string>;
        email: string;
        name: string | null;
        /** `owner` (everything), `admin` (keys, keyspaces, OAuth, secrets, webhooks; not users or root keys), `viewer` (reads). */
        role: "owner" | "admin" | "viewer";
        /** Whether the TOTP second factor is set up (it is at the first sign-in). */
        totpEnrolled: boolean;
        recoveryCodesLeft: number;
        /** Locked after repeated failed second factors; `PATCH` with `unlock` lifts it. */
        locked: boolean;
        disabled: boolean;
        createdAt: string;
        lastLoginAt: string | null;
      };
      stage: "full";
      /** The user's role as the permissions of the management API. */
      permissions: Array<string>;
      /** Send it as `X-CSRF-Token` with every request that changes something. */
      csrfToken: string;
      /** The session ends after this long without a request. */
      idleTimeoutSeconds: number;
      /** The session ends then, whatever the activity. */
      expiresAt: string;
      /** Pages whose API this build serves. */
      capabilities: {
        secrets: boolean;
        oauthClients: boolean;
        anomalies: boolean;
        hygiene: boolean;
        webhooks: boolean;
        keyring: boolean;
      };
      /** The workspace this request acted in: the one `Tessera-Workspace` named, or the home. */
      workspaceId: string;
      /** Every workspace the user reaches, its home first. */
      workspaceIds: Array<string>;
    };
  };
  /** Sign in, step two: a TOTP code or a recovery code */
  'POST /console/api/login/second-factor': {
    path: {};
    query: {};
    body: {
      /** The six digits the authenticator app shows now. */
      code?: string;
      /** One of the recovery codes, used once. */
      recoveryCode?: string;
    };
    response: {
      user: {
        id: string;
        /** Its home workspace, where it is listed and managed; in a session’s answer, the workspace the session acts in. */
        workspaceId: string;
        /** The other workspaces it reaches (its role holds in each); the console names one with `Tessera-Workspace`. */
        otherWorkspaceIds: Array<string>;
        email: string;
        name: string | null;
        /** `owner` (everything), `admin` (keys, keyspaces, OAuth, secrets, webhooks; not users or root keys), `viewer` (reads). */
        role: "owner" | "admin" | "viewer";
        /** Whether the TOTP second factor is set up (it is at the first sign-in). */
        totpEnrolled: boolean;
        recoveryCodesLeft: number;
        /** Locked after repeated failed second factors; `PATCH` with `unlock` lifts it. */
        locked: boolean;
        disabled: boolean;
        createdAt: string;
        lastLoginAt: string | null;
      };
      stage: "full";
      /** The user's role as the permissions of the management API. */
      permissions: Array<string>;
      /** Send it as `X-CSRF-Token` with every request that changes something. */
      csrfToken: string;
      /** The session ends after this long without a request. */
      idleTimeoutSeconds: number;
      /** The session ends then, whatever the activity. */
      expiresAt: string;
      /** Pages whose API this build serves. */
      capabilities: {
        secrets: boolean;
        oauthClients: boolean;
        anomalies: boolean;
        hygiene: boolean;
        webhooks: boolean;
        keyring: boolean;
      };
      /** The workspace this request acted in: the one `Tessera-Workspace` named, or the home. */
      workspaceId: string;
      /** Every workspace the user reaches, its home first. */
      workspaceIds: Array<string>;
    };
  };
  /** Change your password */
  'POST /console/api/me/password': {
    path: {};
    query: {};
    body: {
      current: string;
      next: string;
    };
    response: undefined;
  };
  /** Counts and recent verifications, for the first page */
  'GET /console/api/overview': {
    path: {};
    query: {};
    body: undefined;
    response: {
      /** Keys neither revoked, disabled nor expired; null without `keys:read`. */
      activeKeys: number | null;
      /** null without `keyspaces:read`. */
      keyspaces: number | null;
      /** Secrets due for rotation; null without `secrets:read`. */
      secretsDue: Array<{
        name: string;
        /** `due` or `overdue`. */
        rotation: string;
        rotateBy: string | null;
      }> | null;
      /** Verifications per minute by outcome over the last hour; null without `keys:read`. */
      verifications: {
        windowMinutes: number;
        /** Counted by the node that answered, in memory. */
        scope: "node";
        /** One point per minute of the window, oldest first, with counts by verify outcome. */
        series: Array<{
          minute: string;
          counts: {
            [name: string]: number;
          };
        }>;
      } | null;
    };
  };
  /** Your passkeys */
  'GET /console/api/passkeys': {
    path: {};
    query: {};
    body: undefined;
    response: {
      items: Array<{
        id: string;
        name: string;
        createdAt: string;
        lastUsedAt: string | null;
      }>;
    };
  };
  /** Remove one of your passkeys */
  'DELETE /console/api/passkeys/{id}': {
    path: {
      id: string;
    };
    query: {};
    body: undefined;
    response: undefined;
  };
  /** Register a passkey, step one: the challenge */
  'POST /console/api/passkeys/registration/options': {
    path: {};
    query: {};
    body: undefined;
    response: {
      challenge: string;
      rp: {
        name: string;
        id?: string;
      };
      user: {
        id: string;
        name: string;
        displayName: string;
      };
      pubKeyCredParams: Array<{
        alg: number;
        type: string;
      }>;
      timeout?: number;
      attestation?: string;
      excludeCredentials?: Array<{
        id: string;
        type: string;
        transports?: Array<string>;
      }>;
      authenticatorSelection?: {
        authenticatorAttachment?: string;
        residentKey?: string;
        requireResidentKey?: boolean;
        userVerification?: string;
      };
      attestationFormats?: Array<string>;
      extensions?: {
        [name: string]: unknown;
      };
      hints?: Array<string>;
      [name: string]: unknown;
    };
  };
  /** Register a passkey, step two: the new credential */
  'POST /console/api/passkeys/registration/verify': {
    path: {};
    query: {};
    body: {
      response: {
        id: string;
        rawId: string;
        type: "public-key";
        response: {
          clientDataJSON: string;
          [name: string]: unknown;
        };
        clientExtensionResults: {
          [name: string]: unknown;
        };
        authenticatorAttachment?: string;
      };
      name: string;
    };
    response: {
      id: string;
      name: string;
      createdAt: string;
      lastUsedAt: string | null;
    };
  };
  /** Sign out */
  'DELETE /console/api/session': {
    path: {};
    query: {};
    body: undefined;
    response: undefined;
  };
  /** The signed-in session */
  'GET /console/api/session': {
    path: {};
    query: {};
    body: undefined;
    response: {
      user: {
        id: string;
        /** Its home workspace, where it is listed and managed; in a session’s answer, the workspace the session acts in. */
        workspaceId: string;
        /** The other workspaces it reaches (its role holds in each); the console names one with `Tessera-Workspace`. */
        otherWorkspaceIds: Array<string>;
        email: string;
        name: string | null;
        /** `owner` (everything), `admin` (keys, keyspaces, OAuth, secrets, webhooks; not users or root keys), `viewer` (reads). */
        role: "owner" | "admin" | "viewer";
        /** Whether the TOTP second factor is set up (it is at the first sign-in). */
        totpEnrolled: boolean;
        recoveryCodesLeft: number;
        /** Locked after repeated failed second factors; `PATCH` with `unlock` lifts it. */
        locked: boolean;
        disabled: boolean;
        createdAt: string;
        lastLoginAt: string | null;
      };
      stage: "full";
      /** The user's role as the permissions of the management API. */
      permissions: Array<string>;
      /** Send it as `X-CSRF-Token` with every request that changes something. */
      csrfToken: string;
      /** The session ends after this long without a request. */
      idleTimeoutSeconds: number;
      /** The session ends then, whatever the activity. */
      expiresAt: string;
      /** Pages whose API this build serves. */
      capabilities: {
        secrets: boolean;
        oauthClients: boolean;
        anomalies: boolean;
        hygiene: boolean;
        webhooks: boolean;
        keyring: boolean;
      };
      /** The workspace this request acted in: the one `Tessera-Workspace` named, or the home. */
      workspaceId: string;
      /** Every workspace the user reaches, its home first. */
      workspaceIds: Array<string>;
    };
  };
  /** How one may sign in to the console */
  'GET /console/api/sign-in-options': {
    path: {};
    query: {};
    body: undefined;
    response: {
      upstream: {
        /** The provider’s name on the button. */
        label: string;
        /** Where the button goes: the start of the sign-in. */
        start: string;
      } | null;
    };
  };
  /** The workspace's console users */
  'GET /console/api/users': {
    path: {};
    query: {};
    body: undefined;
    response: {
      /** The users homed in the workspace. */
      items: Array<{
        id: string;
        /** Its home workspace, where it is listed and managed; in a session’s answer, the workspace the session acts in. */
        workspaceId: string;
        /** The other workspaces it reaches (its role holds in each); the console names one with `Tessera-Workspace`. */
        otherWorkspaceIds: Array<string>;
        email: string;
        name: string | null;
        /** `owner` (everything), `admin` (keys, keyspaces, OAuth, secrets, webhooks; not users or root keys), `viewer` (reads). */
        role: "owner" | "admin" | "viewer";
        /** Whether the TOTP second factor is set up (it is at the first sign-in). */
        totpEnrolled: boolean;
        recoveryCodesLeft: number;
        /** Locked after repeated failed second factors; `PATCH` with `unlock` lifts it. */
        locked: boolean;
        disabled: boolean;
        createdAt: string;
        lastLoginAt: string | null;
      }>;
      /** Users homed in other workspaces who reach this one; managed in their home. */
      reaching: Array<{
        id: string;
        /** Its home workspace, where it is listed and managed; in a session’s answer, the workspace the session acts in. */
        workspaceId: string;
        /** The other workspaces it reaches (its role holds in each); the console names one with `Tessera-Workspace`. */
        otherWorkspaceIds: Array<string>;
        email: string;
        name: string | null;
        /** `owner` (everything), `admin` (keys, keyspaces, OAuth, secrets, webhooks; not users or root keys), `viewer` (reads). */
        role: "owner" | "admin" | "viewer";
        /** Whether the TOTP second factor is set up (it is at the first sign-in). */
        totpEnrolled: boolean;
        recoveryCodesLeft: number;
        /** Locked after repeated failed second factors; `PATCH` with `unlock` lifts it. */
        locked: boolean;
        disabled: boolean;
        createdAt: string;
        lastLoginAt: string | null;
      }>;
    };
  };
  /** Add a console user */
  'POST /console/api/users': {
    path: {};
    query: {};
    body: {
      email: string;
      password: string;
      /** `owner` (everything), `admin` (keys, keyspaces, OAuth, secrets, webhooks; not users or root keys), `viewer` (reads). */
      role: "owner" | "admin" | "viewer";
      name?: string;
      /** The workspaces it reaches besides its home, each one you reach; those you do not reach stay as they were. */
      otherWorkspaceIds?: Array<string>;
    };
    response: {
      id: string;
      /** Its home workspace, where it is listed and managed; in a session’s answer, the workspace the session acts in. */
      workspaceId: string;
      /** The other workspaces it reaches (its role holds in each); the console names one with `Tessera-Workspace`. */
      otherWorkspaceIds: Array<string>;
      email: string;
      name: string | null;
      /** `owner` (everything), `admin` (keys, keyspaces, OAuth, secrets, webhooks; not users or root keys), `viewer` (reads). */
      role: "owner" | "admin" | "viewer";
      /** Whether the TOTP second factor is set up (it is at the first sign-in). */
      totpEnrolled: boolean;
      recoveryCodesLeft: number;
      /** Locked after repeated failed second factors; `PATCH` with `unlock` lifts it. */
      locked: boolean;
      disabled: boolean;
      createdAt: string;
      lastLoginAt: string | null;
    };
  };
  /** Change a console user’s role or workspaces, disable or enable them, or lift their lockout */
  'PATCH /console/api/users/{id}': {
    path: {
      id: string;
    };
    query: {};
    body: {
      /** `owner` (everything), `admin` (keys, keyspaces, OAuth, secrets, webhooks; not users or root keys), `viewer` (reads). */
      role?: "owner" | "admin" | "viewer";
      disabled?: boolean;
      unlock?: true;
      /** The workspaces it reaches besides its home, each one you reach; those you do not reach stay as they were. */
      otherWorkspaceIds?: Array<string>;
    };
    response: {
      id: string;
      /** Its home workspace, where it is listed and managed; in a session’s answer, the workspace the session acts in. */
      workspaceId: string;
      /** The other workspaces it reaches (its role holds in each); the console names one with `Tessera-Workspace`. */
      otherWorkspaceIds: Array<string>;
      email: string;
      name: string | null;
      /** `owner` (everything), `admin` (keys, keyspaces, OAuth, secrets, webhooks; not users or root keys), `viewer` (reads). */
      role: "owner" | "admin" | "viewer";
      /** Whether the TOTP second factor is set up (it is at the first sign-in). */
      totpEnrolled: boolean;
      recoveryCodesLeft: number;
      /** Locked after repeated failed second factors; `PATCH` with `unlock` lifts it. */
      locked: boolean;
      disabled: boolean;
      createdAt: string;
      lastLoginAt: string | null;
    };
  };
}
