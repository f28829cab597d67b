import {
  ACCESS_TOKEN_TYPE,
  ALL_GRANT_TYPES,
  API_KEY_TOKEN_TYPE,
  JWT_TOKEN_TYPE,
  OAUTH_PATHS,
  type AuthorizationServer,
} from '@tessera/core';
import type { FastifyPluginAsync } from 'fastify';
import { OneOf, RefTo, Type } from '../../http/schemas.js';
import { clientAuthParams, FORM, formEndpoint, Param, type Issuer } from './form-endpoint.js';
import { oauthErrors } from './oauth-errors.js';

const Repeatable = (description: string) => Type.Optional(Type.Array(Type.String(), { description }));

const TokenForm = Type.Object(
  {
    grant_type: OneOf(ALL_GRANT_TYPES),
    scope: Param('Space-separated scopes, each one the grant allows; without it, all of them.'),
    audience: Repeatable('RFC 8693: an audience the token is for, one the client may name; repeat for more than one.'),
    resource: Repeatable('RFC 8707: like `audience`.'),
    refresh_token: Param('For `refresh_token`: the refresh token, spent by this request.'),
    code: Param('For `authorization_code`: the code, single use.'),
    redirect_uri: Param('For `authorization_code`: the redirect URI of the authorization request, exactly.'),
    code_verifier: Param('For `authorization_code`: the PKCE verifier (RFC 7636 §4.5); required.'),
    device_code: Param('For `urn:ietf:params:oauth:grant-type:device_code`: the device code (RFC 8628 §3.4).'),
    subject_token: Param('For token exchange: the API key exchanged.'),
    subject_token_type: Type.Optional(OneOf([API_KEY_TOKEN_TYPE] as const, { description: 'For token exchange.' })),
    requested_token_type: Type.Optional(
      OneOf([ACCESS_TOKEN_TYPE, JWT_TOKEN_TYPE] as const, { description: 'For token exchange; JWT only for a client of JWT tokens.' }),
    ),
    ...clientAuthParams,
  },
  {
    description: `The token request (RFC 6749 §4.1.3, §4.4.2, §6; RFC 8693 §2.1), as ${FORM}. The client authenticates with Basic, or with the parameters below (a public client sends only \`client_id\`).`,
    examples: [{ grant_type: 'client_credentials', scope: 'invoices:read', audience: ['https://api.example.com'] }],
  },
);

export const TokenResponseSchema = Type.Object(
  {
    access_token: Type.String({ description: 'A JWT (RFC 9068) or an opaque `tessera_at_…` token, as the client is set up.' }),
    token_type: OneOf(['Bearer', 'DPoP'] as const, {
      description: '`DPoP` when the token is bound to the DPoP proof’s key (RFC 9449 §5).',
    }),
    expires_in: Type.Integer({ description: 'Seconds.' }),
    scope: Type.String({ description: 'The scopes granted, space-separated.' }),
    issued_token_type: Type.Optional(OneOf([ACCESS_TOKEN_TYPE] as const, { description: 'After a token exchange (RFC 8693 §2.2.1).' })),
    refresh_token: Type.Optional(
      Type.String({ description: 'After a token exchange or a refresh, for a client that may refresh: the next refresh token.' }),
    ),
    id_token: Type.Optional(
      Type.String({ description: 'After an authorization code issued with `openid`: the ID token (OIDC Core §3.1.3.3).' }),
    ),
  },
  {
    $id: 'TokenResponse',
    description: 'An access token (RFC 6749 §5.1).',
    examples: [
      {
        access_token:
          'eyJhbGciOiJFZERTQSIsImtpZCI6IjRoY0ZfRVpnIiwidHlwIjoiYXQrand0In0.eyJpc3MiOiJodHRwczovL3Rlc3NlcmEuZXhhbXBsZS5jb20ifQ.c2ln',
        token_type: 'Bearer',
        expires_in: 300,
        scope: 'invoices:read',
      },
    ],
  },
);

/** The token endpoint: authorization code with PKCE, client credentials, token exchange of API keys (RFC 8693), rotating refresh tokens. */
export function tokenRoute(server: AuthorizationServer, issuer: Issuer): FastifyPluginAsync {
  return async (app) => {
    app.post(
      OAUTH_PATHS.token,
      {
        schema: {
          operationId: 'issueToken',
          tags: ['oauth'],
          summary: 'Token endpoint (RFC 6749 §3.2, RFC 7636, RFC 8628, RFC 8693, RFC 9449)',
          description:
            'Answers `DPoP-Nonce` when the client must use server nonces. Errors are RFC 6749 §5.2 JSON; a failed client authentication is 401 `invalid_client`.',
          security: [],
          consumes: [FORM],
          body: TokenForm,
          response: {
            200: {
              ...RefTo(TokenResponseSchema),
              description: 'An access token (RFC 6749 §5.1).',
              headers: {
                'DPoP-Nonce': {
                  type: 'string',
                  description: 'For a client that must use server nonces: the nonce for its next DPoP proof.',
                },
              },
            },
            ...oauthErrors(
              'invalid_request',
              'invalid_grant',
              'unauthorized_client',
              'unsupported_grant_type',
              'invalid_scope',
              'invalid_target',
              'invalid_dpop_proof',
              'use_dpop_nonce',
              'authorization_pending',
              'slow_down',
              'expired_token',
              'access_denied',
              'invalid_client',
              'server_error',
              'temporarily_unavailable',
            ),
          },
        },
      },
      formEndpoint(issuer, (r, i) => server.token(r, i)),
    );
  };
}
