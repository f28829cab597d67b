import type { AuthorizationServerMetadata } from '@tessera/api';
import { OIDC_SCOPES } from './authorization/authorization-request.js';
import { CLIENT_ASSERTION_ALGS } from './client-auth.js';
import { DPOP_ALGS } from './dpop.js';
import { CLIENT_AUTH_METHODS, GRANT_TYPES, ID_TOKEN_ALGS, SIGNING_ALGS } from './oauth-records.js';
import { ACCESS_TOKEN_TYPE, API_KEY_TOKEN_TYPE } from './token-types.js';
import { ACR_VALUES } from './tokens/acr.js';

/** Paths of the endpoints under the issuer. */
export const OAUTH_PATHS = {
  authorization: '/oauth/authorize',
  token: '/oauth/token',
  deviceAuthorization: '/oauth/device_authorization',
  pushedAuthorization: '/oauth/par',
  /** The verification page of the device flow, where the user enters the code. */
  deviceVerification: '/oauth/device',
  userinfo: '/oauth/userinfo',
  endSession: '/oauth/logout',
  /** The end user's account page: the apps they allowed, their second factor. */
  account: '/oauth/account',
  introspection: '/oauth/introspect',
  revocation: '/oauth/revoke',
  jwks: '/oauth/jwks',
  metadata: '/.well-known/oauth-authorization-server',
  openidConfiguration: '/.well-known/openid-configuration',
} as const;

/** The claims the userinfo endpoint and ID tokens may hold. */
export const CLAIMS_SUPPORTED = [
  'sub',
  'iss',
  'aud',
  'exp',
  'iat',
  'auth_time',
  'nonce',
  'acr',
  'amr',
  'at_hash',
  'name',
  'email',
  'email_verified',
];

/**
 * The metadata document of the authorization server at `issuer` (RFC 8414 §2), which is also its
 * OpenID Provider configuration (OpenID Connect Discovery §3): one document at both addresses.
 */
export function authorizationServerMetadata(issuer: string): AuthorizationServerMetadata {
  const authMethods = [...CLIENT_AUTH_METHODS];
  // Introspection is for resource servers, which hold a secret: public clients may not ask.
  const secretMethods = authMethods.filter((m) => m !== 'none');
  return {
    issuer,
    authorization_endpoint: issuer + OAUTH_PATHS.authorization,
    token_endpoint: issuer + OAUTH_PATHS.token,
    userinfo_endpoint: issuer + OAUTH_PATHS.userinfo,
    end_session_endpoint: issuer + OAUTH_PATHS.endSession,
    device_authorization_endpoint: issuer + OAUTH_PATHS.deviceAuthorization,
    pushed_authorization_request_endpoint: issuer + OAUTH_PATHS.pushedAuthorization,
    // Per client instead (`requirePar`), as RFC 9126 §6 `require_pushed_authorization_requests`.
    require_pushed_authorization_requests: false,
    jwks_uri: issuer + OAUTH_PATHS.jwks,
    introspection_endpoint: issuer + OAUTH_PATHS.introspection,
    revocation_endpoint: issuer + OAUTH_PATHS.revocation,
    scopes_supported: [...OIDC_SCOPES],
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: Object.values(GRANT_TYPES),
    code_challenge_methods_supported: ['S256'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [...ID_TOKEN_ALGS],
    claims_supported: CLAIMS_SUPPORTED,
    acr_values_supported: [...ACR_VALUES],
    prompt_values_supported: ['none', 'login', 'consent', 'select_account'],
    authorization_response_iss_parameter_supported: true,
    token_endpoint_auth_methods_supported: authMethods,
    token_endpoint_auth_signing_alg_values_supported: [...CLIENT_ASSERTION_ALGS],
    introspection_endpoint_auth_methods_supported: secretMethods,
    introspection_endpoint_auth_signing_alg_values_supported: [...CLIENT_ASSERTION_ALGS],
    revocation_endpoint_auth_methods_supported: authMethods,
    revocation_endpoint_auth_signing_alg_values_supported: [...CLIENT_ASSERTION_ALGS],
    access_token_signing_alg_values_supported: [...SIGNING_ALGS],
    dpop_signing_alg_values_supported: [...DPOP_ALGS],
    token_types_supported: [ACCESS_TOKEN_TYPE, API_KEY_TOKEN_TYPE],
  };
}
