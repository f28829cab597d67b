import type {
  AuthorizationCodeRecord,
  ClientSecretRecord,
  ConsentRecord,
  DeviceAuthorizationRecord,
  PushedRequestRecord,
  EndUserRecord,
  OAuthClientRecord,
  OpaqueTokenRecord,
  RefreshTokenRecord,
  SigningKeyRecord,
  TokenFamilyRecord,
} from '@tessera/core';
import type { OAuthDatabase } from './oauth-schema.js';
import { recordTable } from './row-mapping.js';

/** The OAuth records and their tables: the only place that knows both shapes. */

export const clientTable = recordTable<OAuthDatabase, 'oauth_clients', OAuthClientRecord>('oauth_clients', {
  id: ['id', 'value'],
  workspaceId: ['workspace_id', 'value'],
  name: ['name', 'value'],
  scopes: ['scopes', 'json'],
  audience: ['audience', 'json'],
  grantTypes: ['grant_types', 'json'],
  redirectUris: ['redirect_uris', 'json'],
  authMethod: ['auth_method', 'value'],
  jwks: ['jwks', 'json?'],
  accessTokenFormat: ['access_token_format', 'value'],
  signingAlg: ['signing_alg', 'value'],
  accessTokenTtl: ['access_token_ttl', 'value'],
  refreshTokenTtl: ['refresh_token_ttl', 'value'],
  refreshGraceSeconds: ['refresh_grace_seconds', 'value'],
  refreshFamilyLifetime: ['refresh_family_lifetime', 'value'],
  dpopBound: ['dpop_bound', 'flag'],
  dpopNonce: ['dpop_nonce', 'flag'],
  requirePar: ['require_par', 'flag'],
  postLogoutRedirectUris: ['post_logout_redirect_uris', 'json'],
  webOrigins: ['web_origins', 'json'],
  createdAt: ['created_at', 'number'],
  updatedAt: ['updated_at', 'number'],
  deletedAt: ['deleted_at', 'number?'],
  secretRotationDays: ['secret_rotation_days', 'number?'],
  secretRotationOverlapSeconds: ['secret_rotation_overlap_seconds', 'number?'],
  secretRotationDueAt: ['secret_rotation_due_at', 'number?'],
  secretRotationNotifiedAt: ['secret_rotation_notified_at', 'number?'],
});

export const clientSecretTable = recordTable<OAuthDatabase, 'oauth_client_secrets', ClientSecretRecord>('oauth_client_secrets', {
  id: ['id', 'value'],
  clientId: ['client_id', 'value'],
  hash: ['hash', 'value'],
  pepperVersion: ['pepper_version', 'value'],
  createdAt: ['created_at', 'number'],
  expiresAt: ['expires_at', 'number?'],
});

export const signingKeyTable = recordTable<OAuthDatabase, 'oauth_signing_keys', SigningKeyRecord>('oauth_signing_keys', {
  kid: ['kid', 'value'],
  alg: ['alg', 'value'],
  publicJwk: ['public_jwk', 'json'],
  privateKey: ['private_key', 'value'],
  createdAt: ['created_at', 'number'],
  activatesAt: ['activates_at', 'number'],
  retiresAt: ['retires_at', 'number'],
  expiresAt: ['expires_at', 'number'],
});

export const familyTable = recordTable<OAuthDatabase, 'oauth_token_families', TokenFamilyRecord>('oauth_token_families', {
  id: ['id', 'value'],
  workspaceId: ['workspace_id', 'value'],
  clientId: ['client_id', 'value'],
  subject: ['subject', 'value'],
  apiKeyId: ['api_key_id', 'value'],
  scope: ['scope', 'json'],
  audience: ['audience', 'json'],
  createdAt: ['created_at', 'number'],
  revokedAt: ['revoked_at', 'number?'],
  revokeReason: ['revoke_reason', 'value'],
  jkt: ['jkt', 'value'],
});

export const refreshTokenTable = recordTable<OAuthDatabase, 'oauth_refresh_tokens', RefreshTokenRecord>('oauth_refresh_tokens', {
  id: ['id', 'value'],
  familyId: ['family_id', 'value'],
  hash: ['hash', 'value'],
  createdAt: ['created_at', 'number'],
  expiresAt: ['expires_at', 'number'],
  usedAt: ['used_at', 'number?'],
  replacedById: ['replaced_by_id', 'value'],
});

export const opaqueTokenTable = recordTable<OAuthDatabase, 'oauth_opaque_tokens', OpaqueTokenRecord>('oauth_opaque_tokens', {
  hash: ['hash', 'value'],
  jti: ['jti', 'value'],
  workspaceId: ['workspace_id', 'value'],
  clientId: ['client_id', 'value'],
  subject: ['subject', 'value'],
  scope: ['scope', 'json'],
  audience: ['audience', 'json'],
  jkt: ['jkt', 'value'],
  issuedAt: ['issued_at', 'number'],
  expiresAt: ['expires_at', 'number'],
  revokedAt: ['revoked_at', 'number?'],
});

export const endUserTable = recordTable<OAuthDatabase, 'end_users', EndUserRecord>('end_users', {
  id: ['id', 'value'],
  workspaceId: ['workspace_id', 'value'],
  email: ['email', 'value'],
  emailVerified: ['email_verified', 'flag'],
  name: ['name', 'value'],
  passwordHash: ['password_hash', 'value'],
  disabledAt: ['disabled_at', 'number?'],
  createdAt: ['created_at', 'number'],
  updatedAt: ['updated_at', 'number'],
  lastSignInAt: ['last_sign_in_at', 'number?'],
  sessionsEndedAt: ['sessions_ended_at', 'number?'],
  totpSecret: ['totp_secret', 'value'],
  totpPending: ['totp_pending', 'value'],
  totpLastStep: ['totp_last_step', 'number?'],
});

export const consentTable = recordTable<OAuthDatabase, 'oauth_consents', ConsentRecord>('oauth_consents', {
  userId: ['user_id', 'value'],
  clientId: ['client_id', 'value'],
  workspaceId: ['workspace_id', 'value'],
  scope: ['scope', 'json'],
  createdAt: ['created_at', 'number'],
  updatedAt: ['updated_at', 'number'],
});

export const authorizationCodeTable = recordTable<OAuthDatabase, 'oauth_authorization_codes', AuthorizationCodeRecord>(
  'oauth_authorization_codes',
  {
    hash: ['hash', 'value'],
    workspaceId: ['workspace_id', 'value'],
    clientId: ['client_id', 'value'],
    userId: ['user_id', 'value'],
    redirectUri: ['redirect_uri', 'value'],
    codeChallenge: ['code_challenge', 'value'],
    scope: ['scope', 'json'],
    nonce: ['nonce', 'value'],
    authTime: ['auth_time', 'number'],
    amr: ['amr', 'json'],
    createdAt: ['created_at', 'number'],
    expiresAt: ['expires_at', 'number'],
    usedAt: ['used_at', 'number?'],
    familyId: ['family_id', 'value'],
    accessTokenJti: ['access_token_jti', 'value'],
    accessTokenExpiresAt: ['access_token_expires_at', 'number?'],
  },
);

export const deviceAuthorizationTable = recordTable<OAuthDatabase, 'oauth_device_authorizations', DeviceAuthorizationRecord>(
  'oauth_device_authorizations',
  {
    deviceCodeHash: ['device_code_hash', 'value'],
    userCodeHash: ['user_code_hash', 'value'],
    workspaceId: ['workspace_id', 'value'],
    clientId: ['client_id', 'value'],
    scope: ['scope', 'json'],
    createdAt: ['created_at', 'number'],
    expiresAt: ['expires_at', 'number'],
    interval: ['interval', 'number'],
    lastPolledAt: ['last_polled_at', 'number?'],
    status: ['status', 'value'],
    userId: ['user_id', 'value'],
    authTime: ['auth_time', 'number?'],
    amr: ['amr', 'json?'],
    decidedAt: ['decided_at', 'number?'],
  },
);

export const pushedRequestTable = recordTable<OAuthDatabase, 'oauth_pushed_requests', PushedRequestRecord>('oauth_pushed_requests', {
  hash: ['hash', 'value'],
  workspaceId: ['workspace_id', 'value'],
  clientId: ['client_id', 'value'],
  params: ['params', 'json'],
  createdAt: ['created_at', 'number'],
  expiresAt: ['expires_at', 'number'],
  usedAt: ['used_at', 'number?'],
});
