import { OAUTH_PATHS, type AuthorizationServer } from '@tessera/core';
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '../../http/schemas.js';
import { FORM, formEndpoint, TokenForm, type Issuer } from './form-endpoint.js';
import { oauthErrors } from './oauth-errors.js';

const Revoked = Type.Object(
  {},
  {
    additionalProperties: false,
    description: 'Revoked, or not a live token of this client’s: the same answer (RFC 7009 §2.2).',
    examples: [{}],
  },
);

/** Token revocation: a client revokes a token issued to it; a refresh token takes its whole grant with it. */
export function revocationRoute(server: AuthorizationServer, issuer: Issuer): FastifyPluginAsync {
  return async (app) => {
    app.post(
      OAUTH_PATHS.revocation,
      {
        schema: {
          operationId: 'revokeToken',
          tags: ['oauth'],
          summary: 'Token revocation (RFC 7009)',
          security: [],
          consumes: [FORM],
          body: TokenForm('The token to revoke (RFC 7009 §2.1)', 'tessera_rt_2xJ4kP9qR7sT1vW3yZ5bC8dF0gH6jK'),
          response: { 200: Revoked, ...oauthErrors('invalid_request', 'invalid_client', 'server_error') },
        },
      },
      formEndpoint(issuer, (r, i) => server.revoke(r, i)),
    );
  };
}
