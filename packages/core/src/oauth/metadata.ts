import type { AuthorizationServerMetadata } from '@tessera/api';
import { CLIENT_ASSERTION_ALGS } from './client-auth.js';
import { DPOP_ALGS } from './dpop.js';
import { CLIENT_AUTH_METHODS, GRANT_TYPES, SIGNING_ALGS } from './oauth-records.js';
import { ACCESS_TOKEN_TYPE, API_KEY_TOKEN_TYPE } from './token-types.js';

/** Paths of the endpoints under the issuer. */
export const OAUTH_PATHS = {
  token: '/oauth/token',
  introspection: '/oauth/introspect',
  revocation: '/oauth/revoke',
  jwks: '/oauth/jwks',
  metadata: '/.well-known/oauth-authorization-server',
} as const;

/** The metadata document of the authorization server at `issuer`. */
export function authorizationServerMetadata(issuer: string): AuthorizationServerMetadata {
  const authMethods = [...CLIENT_AUTH_METHODS];
  return {
    issuer,
    token_endpoint: issuer + OAUTH_PATHS.token,
    jwks_uri: issuer + OAUTH_PATHS.jwks,
    introspection_endpoint: issuer + OAUTH_PATHS.introspection,
    revocation_endpoint: issuer + OAUTH_PATHS.revocation,
    grant_types_supported: Object.values(GRANT_TYPES),
    // No authorization endpoint: Tessera's clients are machines.
    response_types_supported: [],
    token_endpoint_auth_methods_supported: authMethods,
    token_endpoint_auth_signing_alg_values_supported: [...CLIENT_ASSERTION_ALGS],
    introspection_endpoint_auth_methods_supported: authMethods,
    introspection_endpoint_auth_signing_alg_values_supported: [...CLIENT_ASSERTION_ALGS],
    revocation_endpoint_auth_methods_supported: authMethods,
    revocation_endpoint_auth_signing_alg_values_supported: [...CLIENT_ASSERTION_ALGS],
    access_token_signing_alg_values_supported: [...SIGNING_ALGS],
    dpop_signing_alg_values_supported: [...DPOP_ALGS],
    token_types_supported: [ACCESS_TOKEN_TYPE, API_KEY_TOKEN_TYPE],
  };
}
