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
  id: 'value',
  workspaceId: 'value',
  name: 'value',
  scopes: 'json',
  audience: 'json',
  grantTypes: 'json',
  redirectUris: 'json',
  authMethod: 'value',
  jwks: 'json?',
  accessTokenFormat: 'value',
  signingAlg: 'value',
  accessTokenTtl: 'value',
  refreshTokenTtl: 'value',
  refreshGraceSeconds: 'value',
  refreshFamilyLifetime: 'value',
  dpopBound: 'flag',
  dpopNonce: 'flag',
  requirePar: 'flag',
  postLogoutRedirectUris: 'json',
  webOrigins: 'json',
  createdAt: 'number',
  updatedAt: 'number',
  deletedAt: 'number?',
  secretRotationDays: 'number?',
  secretRotationOverlapSeconds: 'number?',
  secretRotationDueAt: 'number?',
  secretRotationNotifiedAt: 'number?',
});

export const clientSecretTable = recordTable<OAuthDatabase, 'oauth_client_secrets', ClientSecretRecord>('oauth_client_secrets', {
  id: 'value',
  clientId: 'value',
  hash: 'value',
  pepperVersion: 'value',
  createdAt: 'number',
  expiresAt: 'number?',
});

export const signingKeyTable = recordTable<OAuthDatabase, 'oauth_signing_keys', SigningKeyRecord>('oauth_signing_keys', {
  kid: 'value',
  alg: 'value',
  publicJwk: 'json',
  privateKey: 'value',
  createdAt: 'number',
  activatesAt: 'number',
  retiresAt: 'number',
  expiresAt: 'number',
});

export const familyTable = recordTable<OAuthDatabase, 'oauth_token_families', TokenFamilyRecord>('oauth_token_families', {
  id: 'value',
  workspaceId: 'value',
  clientId: 'value',
  subject: 'value',
  apiKeyId: 'value',
  scope: 'json',
  audience: 'json',
  createdAt: 'number',
  revokedAt: 'number?',
  revokeReason: 'value',
  jkt: 'value',
});

export const refreshTokenTable = recordTable<OAuthDatabase, 'oauth_refresh_tokens', RefreshTokenRecord>('oauth_refresh_tokens', {
  id: 'value',
  familyId: 'value',
  hash: 'value',
  createdAt: 'number',
  expiresAt: 'number',
  usedAt: 'number?',
  replacedById: 'value',
});

export const opaqueTokenTable = recordTable<OAuthDatabase, 'oauth_opaque_tokens', OpaqueTokenRecord>('oauth_opaque_tokens', {
  hash: 'value',
  jti: 'value',
  workspaceId: 'value',
  clientId: 'value',
  subject: 'value',
  scope: 'json',
  audience: 'json',
  jkt: 'value',
  issuedAt: 'number',
  expiresAt: 'number',
  revokedAt: 'number?',
});

export const endUserTable = recordTable<OAuthDatabase, 'end_users', EndUserRecord>('end_users', {
  id: 'value',
  workspaceId: 'value',
  email: 'value',
  emailVerified: 'flag',
  name: 'value',
  passwordHash: 'value',
  disabledAt: 'number?',
  createdAt: 'number',
  updatedAt: 'number',
  lastSignInAt: 'number?',
  sessionsEndedAt: 'number?',
  totpSecret: 'value',
  totpPending: 'value',
  totpLastStep: 'number?',
});

export const consentTable = recordTable<OAuthDatabase, 'oauth_consents', ConsentRecord>('oauth_consents', {
  userId: 'value',
  clientId: 'value',
  workspaceId: 'value',
  scope: 'json',
  createdAt: 'number',
  updatedAt: 'number',
});

export const authorizationCodeTable = recordTable<OAuthDatabase, 'oauth_authorization_codes', AuthorizationCodeRecord>(
  'oauth_authorization_codes',
  {
    hash: 'value',
    workspaceId: 'value',
    clientId: 'value',
    userId: 'value',
    redirectUri: 'value',
    codeChallenge: 'value',
    scope: 'json',
    nonce: 'value',
    authTime: 'number',
    amr: 'json',
    createdAt: 'number',
    expiresAt: 'number',
    usedAt: 'number?',
    familyId: 'value',
    accessTokenJti: 'value',
    accessTokenExpiresAt: 'number?',
  },
);

export const deviceAuthorizationTable = recordTable<OAuthDatabase, 'oauth_device_authorizations', DeviceAuthorizationRecord>(
  'oauth_device_authorizations',
  {
    deviceCodeHash: 'value',
    userCodeHash: 'value',
    workspaceId: 'value',
    clientId: 'value',
    scope: 'json',
    createdAt: 'number',
    expiresAt: 'number',
    interval: 'number',
    lastPolledAt: 'number?',
    status: 'value',
    userId: 'value',
    authTime: 'number?',
    amr: 'json?',
    decidedAt: 'number?',
  },
);

export const pushedRequestTable = recordTable<OAuthDatabase, 'oauth_pushed_requests', PushedRequestRecord>('oauth_pushed_requests', {
  hash: 'value',
  workspaceId: 'value',
  clientId: 'value',
  params: 'json',
  createdAt: 'number',
  expiresAt: 'number',
  usedAt: 'number?',
});
