import { OAUTH_PATHS, type AuthorizationServer } from '@tessera/core';
import type { FastifyPluginAsync } from 'fastify';
import { OneOf, Type } from '../../http/schemas.js';
import { clientAuthParams, FORM, formEndpoint, Param, type Issuer } from './form-endpoint.js';
import { oauthErrors } from './oauth-errors.js';

const PushForm = Type.Object(
  {
    response_type: OneOf(['code'] as const),
    redirect_uri: Type.String({ description: 'One the client registered, exactly (loopback ports aside).' }),
    code_challenge: Type.String({ description: 'BASE64URL(SHA-256(code_verifier)): PKCE is required.' }),
    code_challenge_method: OneOf(['S256'] as const),
    scope: Param('Space-separated: `openid`, `profile`, `email`, `offline_access` and the client’s scopes.'),
    state: Param('Returned as it is.'),
    nonce: Param('Put in the ID token.'),
    prompt: Param('`none`, `login`, `consent`.'),
    max_age: Param('Seconds.'),
    login_hint: Param('The email to fill in.'),
    ...clientAuthParams,
  },
  {
    description: `An authorization request pushed ahead (RFC 9126 §2.1), as ${FORM}: the parameters of the authorization endpoint, and the client's authentication as at the token endpoint (a public client sends \`client_id\`). \`request_uri\` may not be pushed.`,
    examples: [
      {
        client_id: 'cli_0Hq4C7d8E9f0G1h2I3j4K5',
        response_type: 'code',
        redirect_uri: 'https://app.example/cb',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
        scope: 'openid email',
        state: 'af0ifjsldkj',
      },
    ],
  },
);

const PushedResponse = Type.Object(
  {
    request_uri: Type.String({ description: 'For the authorization endpoint, with `client_id`; yields one code.' }),
    expires_in: Type.Integer({ description: 'Seconds it may be used: 300.' }),
  },
  {
    description: 'RFC 9126 §2.2.',
    examples: [
      { request_uri: 'urn:ietf:params:oauth:request_uri:tessera_pr_4Yb0c1D2e3F4g5H6i7J8k9L0m1N2o3P4q5R6s7T8u9V0w1X2', expires_in: 300 },
    ],
  },
);

/** The pushed authorization request endpoint (RFC 9126). */
export function pushedAuthorizationRoute(server: AuthorizationServer, issuer: Issuer): FastifyPluginAsync {
  return async (app) => {
    app.post(
      OAUTH_PATHS.pushedAuthorization,
      {
        schema: {
          operationId: 'pushAuthorizationRequest',
          tags: ['oauth'],
          summary: 'Pushed authorization request endpoint (RFC 9126)',
          description:
            'Checks the authorization request as the authorization endpoint would and keeps it; the browser is then sent to `/oauth/authorize?client_id=…&request_uri=…`. Required for clients with `requirePar`.',
          security: [],
          consumes: [FORM],
          body: PushForm,
          response: {
            201: { ...PushedResponse, description: 'The request, kept (RFC 9126 §2.2).' },
            ...oauthErrors(
              'invalid_request',
              'invalid_client',
              'unauthorized_client',
              'unsupported_response_type',
              'invalid_scope',
              'server_error',
              'temporarily_unavailable',
            ),
          },
        },
      },
      formEndpoint(issuer, (r, i) => server.pushAuthorization(r, i)),
    );
  };
}
