import { OAUTH_PATHS, type AuthorizationServer } from '@tessera/core';
import type { FastifyPluginAsync } from 'fastify';
import { OneOf, RefTo, Type } from '../../http/schemas.js';
import { FORM, formEndpoint, TokenForm, type Issuer } from './form-endpoint.js';
import { oauthErrors } from './oauth-errors.js';

export const IntrospectionSchema = Type.Object(
  {
    active: Type.Boolean({ description: 'Whether the token is live and of the asking client’s workspace; nothing else is told when not.' }),
    scope: Type.Optional(Type.String()),
    client_id: Type.Optional(Type.String({ description: 'The client the token was issued to.' })),
    workspace_id: Type.Optional(Type.String({ description: 'The workspace of that client.' })),
    sub: Type.Optional(Type.String()),
    aud: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())], { description: 'Access tokens only.' })),
    iss: Type.Optional(Type.String()),
    exp: Type.Optional(Type.Integer()),
    iat: Type.Optional(Type.Integer()),
    jti: Type.Optional(Type.String({ description: 'Access tokens only.' })),
    token_type: Type.Optional(OneOf(['Bearer', 'DPoP', 'refresh_token'] as const)),
    cnf: Type.Optional(Type.Object({ jkt: Type.String({ description: 'RFC 7638 thumbprint of the DPoP key (RFC 9449 §6.2).' }) })),
  },
  {
    $id: 'IntrospectionResponse',
    description: 'What the token is (RFC 7662 §2.2).',
    examples: [
      {
        active: true,
        scope: 'invoices:read',
        client_id: 'cli_0Hq4C7d8E9f0G1h2I3j4K5',
        workspace_id: 'ws_default',
        sub: 'cli_0Hq4C7d8E9f0G1h2I3j4K5',
        aud: 'https://api.example.com',
        iss: 'https://tessera.example.com',
        exp: 1772442300,
        iat: 1772442000,
        jti: 'b1sQ0kQW2wzM3x9rK4Jm5A',
        token_type: 'Bearer',
      },
      { active: false },
    ],
  },
);

/** Token introspection: for resource servers, which authenticate as clients of the same workspace. */
export function introspectionRoute(server: AuthorizationServer, issuer: Issuer): FastifyPluginAsync {
  return async (app) => {
    app.post(
      OAUTH_PATHS.introspection,
      {
        schema: {
          operationId: 'introspectToken',
          tags: ['oauth'],
          summary: 'Token introspection (RFC 7662)',
          security: [],
          consumes: [FORM],
          body: TokenForm('The token to introspect (RFC 7662 §2.1)', 'eyJhbGciOiJFZERTQSIsInR5cCI6ImF0K2p3dCJ9.eyJqdGkiOiJ4In0.c2ln'),
          response: {
            200: RefTo(IntrospectionSchema),
            ...oauthErrors('invalid_request', 'invalid_client', 'server_error'),
          },
        },
      },
      formEndpoint(issuer, (r, i) => server.introspect(r, i)),
    );
  };
}
