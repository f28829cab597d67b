import { authorizationServerMetadata, OAUTH_PATHS, type AuthorizationServer, type SigningKeys } from '@tessera/core';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { RefTo, Type } from '../../http/schemas.js';
import type { Issuer } from './form-endpoint.js';
import { oauthErrors } from './oauth-errors.js';

const Url = Type.String({ format: 'uri' });
const Names = (description: string) => Type.Array(Type.String(), { description });

export const MetadataSchema = Type.Object(
  {
    issuer: Url,
    authorization_endpoint: Url,
    token_endpoint: Url,
    userinfo_endpoint: Url,
    end_session_endpoint: Url,
    device_authorization_endpoint: Url,
    pushed_authorization_request_endpoint: Url,
    require_pushed_authorization_requests: Type.Boolean({
      description: 'RFC 9126 §5: false; a client may be set to require pushed requests (`requirePar`).',
    }),
    jwks_uri: Url,
    introspection_endpoint: Url,
    revocation_endpoint: Url,
    scopes_supported: Names('The OpenID Connect scopes; a client’s own scopes besides.'),
    response_types_supported: Names('`code`: the authorization code flow.'),
    response_modes_supported: Names('`query`.'),
    grant_types_supported: Names(
      'Authorization code, client credentials, refresh token, token exchange (RFC 8693) and the device code (RFC 8628).',
    ),
    code_challenge_methods_supported: Names('PKCE: S256 only (RFC 9700 §2.1.1).'),
    subject_types_supported: Names('`public`.'),
    id_token_signing_alg_values_supported: Names('Algorithms ID tokens are signed with.'),
    claims_supported: Names('Claims of ID tokens and the userinfo endpoint.'),
    acr_values_supported: Names(
      'The `acr` values ID tokens carry: `phr` (a passkey), `urn:tessera:acr:mfa` (a one-time code after the password), `urn:tessera:acr:pwd` (the password alone), `urn:tessera:acr:fed` (an upstream provider).',
    ),
    prompt_values_supported: Names('`prompt` values the authorization endpoint takes.'),
    authorization_response_iss_parameter_supported: Type.Boolean({ description: 'RFC 9207: `iss` is in every authorization response.' }),
    token_endpoint_auth_methods_supported: Names('How clients authenticate; `none` for public clients.'),
    token_endpoint_auth_signing_alg_values_supported: Names('`private_key_jwt` assertion algorithms.'),
    introspection_endpoint_auth_methods_supported: Names('As at the token endpoint, public clients aside.'),
    introspection_endpoint_auth_signing_alg_values_supported: Names('As at the token endpoint.'),
    revocation_endpoint_auth_methods_supported: Names('As at the token endpoint.'),
    revocation_endpoint_auth_signing_alg_values_supported: Names('As at the token endpoint.'),
    access_token_signing_alg_values_supported: Names('Algorithms access tokens are signed with, per client.'),
    dpop_signing_alg_values_supported: Names('DPoP proof algorithms (RFC 9449 §5.1).'),
    token_types_supported: Names('Token types of token exchange.'),
  },
  {
    $id: 'AuthorizationServerMetadata',
    description:
      'Authorization server metadata (RFC 8414 §2), which is also the OpenID Provider configuration (OpenID Connect Discovery §3).',
    examples: [authorizationServerMetadata('https://tessera.example.com')],
  },
);

const B64url = (description: string) => Type.Optional(Type.String({ description }));

/** A published public key: the members of RFC 7517 §4, RFC 7518 §6, RFC 8037 and (ML-DSA) RFC 9964. */
const Jwk = Type.Object(
  {
    kty: Type.String({ description: '`OKP`, `EC`, `RSA` or `AKP`.' }),
    kid: Type.String({ description: 'The RFC 7638 thumbprint of the key.' }),
    alg: Type.String(),
    use: Type.String({ description: 'Always `sig`.' }),
    crv: Type.Optional(Type.String()),
    x: B64url('OKP and EC.'),
    y: B64url('EC.'),
    n: B64url('RSA modulus.'),
    e: B64url('RSA exponent.'),
    pub: B64url('AKP (ML-DSA) public key.'),
  },
  { additionalProperties: false },
);

export const JwksSchema = Type.Object(
  { keys: Type.Array(Jwk) },
  {
    $id: 'JsonWebKeySet',
    description: 'The signing keys: next, current and previous of each algorithm in use (RFC 7517 §5).',
    examples: [
      {
        keys: [{ kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo', kid: '4hcF_EZg', alg: 'EdDSA', use: 'sig' }],
      },
    ],
  },
);

const cached = { 'Cache-Control': { type: 'string', description: '`public, max-age=300`.' } };

/** Authorization server metadata and the JWKS: public, cacheable for five minutes. */
export function metadataRoutes(server: AuthorizationServer, keys: SigningKeys, issuer: Issuer): FastifyPluginAsync {
  return async (app) => {
    // The RFC 8414 metadata, served again as the OpenID Provider configuration.
    const metadataRoute = (operationId: string, summary: string, what: string, description?: string) => ({
      schema: {
        operationId,
        tags: ['oauth'],
        summary,
        ...(description !== undefined && { description }),
        security: [],
        response: { 200: { ...RefTo(MetadataSchema), description: what, headers: cached }, ...oauthErrors('server_error') },
      },
    });
    const metadata = async (_request: FastifyRequest, reply: FastifyReply) => {
      reply.header('cache-control', 'public, max-age=300');
      return server.metadata(issuer());
    };
    app.get(
      OAUTH_PATHS.metadata,
      metadataRoute('getAuthorizationServerMetadata', 'Authorization server metadata (RFC 8414)', 'The metadata.'),
      metadata,
    );
    app.get(
      OAUTH_PATHS.openidConfiguration,
      metadataRoute(
        'getOpenIdConfiguration',
        'OpenID Provider configuration (OpenID Connect Discovery §4)',
        'The configuration.',
        'The same document as the RFC 8414 metadata.',
      ),
      metadata,
    );
    app.get(
      OAUTH_PATHS.jwks,
      {
        schema: {
          operationId: 'getJwks',
          tags: ['oauth'],
          summary: 'Signing keys: next, current and previous (RFC 7517)',
          security: [],
          response: {
            200: { description: 'The key set.', headers: cached, content: { 'application/jwk-set+json': { schema: RefTo(JwksSchema) } } },
            ...oauthErrors('server_error'),
          },
        },
      },
      async (_request, reply) => {
        // The next key is published a whole rotation period before it signs, so caching is safe.
        reply.header('cache-control', 'public, max-age=300');
        reply.type('application/jwk-set+json');
        return keys.jwks();
      },
    );
  };
}
