import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ALL_GRANT_TYPES, CLIENT_AUTH_METHODS, CLIENT_LIMITS, SIGNING_ALGS, type OAuthClientRecord } from '@tessera/core';
import type { FastifyPluginAsync } from 'fastify';
import { actorOf } from '../http/auth.js';
import { decodeCursor, encodeCursor } from '../http/cursor.js';
import { Cursor, Limit, Nullable, ScopeName, Type } from '../http/schemas.js';
import { iso } from '../http/views.js';
import type { Services } from '../services.js';

const ClientId = Type.String({ minLength: 1, maxLength: 64, pattern: '^cli_[0-9A-Za-z]{22}$' });
const B64url = (maxLength: number) => Type.String({ minLength: 1, maxLength, pattern: '^[A-Za-z0-9_-]+$' });
/**
 * A client's public key: the public members of RFC 7517 §4 and RFC 7518 §6 (RFC 8037 for OKP),
 * each bounded, nothing else. `x5u` is left out: Tessera never fetches a key from a URL.
 */
const Jwk = Type.Object(
  {
    kty: Type.String({ minLength: 1, maxLength: 8 }),
    use: Type.Optional(Type.String({ minLength: 1, maxLength: 8 })),
    key_ops: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 16 }), { maxItems: 8 })),
    alg: Type.Optional(Type.String({ minLength: 1, maxLength: 16 })),
    kid: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    x5c: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 8192, pattern: '^[A-Za-z0-9+/]+={0,2}$' }), { maxItems: 10 })),
    x5t: Type.Optional(B64url(64)),
    'x5t#S256': Type.Optional(B64url(64)),
    crv: Type.Optional(Type.String({ minLength: 1, maxLength: 16 })),
    x: Type.Optional(B64url(128)),
    y: Type.Optional(B64url(128)),
    n: Type.Optional(B64url(2048)),
    e: Type.Optional(B64url(16)),
  },
  { additionalProperties: false },
);
const Ttl = (l: { min: number; max: number }) => Type.Integer({ minimum: l.min, maximum: l.max });

const clientAttributes = {
  scopes: Type.Optional(Type.Array(ScopeName, { maxItems: 256 })),
  audience: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 512 }), { maxItems: 16 })),
  grantTypes: Type.Optional(Type.Array(Type.Union(ALL_GRANT_TYPES.map((g) => Type.Literal(g))), { minItems: 1, maxItems: 3 })),
  tokenEndpointAuthMethod: Type.Optional(Type.Union(CLIENT_AUTH_METHODS.map((m) => Type.Literal(m)))),
  jwks: Type.Optional(Nullable(Type.Object({ keys: Type.Array(Jwk, { minItems: 1, maxItems: 10 }) }, { additionalProperties: false }))),
  accessTokenFormat: Type.Optional(Type.Union([Type.Literal('jwt'), Type.Literal('opaque')])),
  signingAlg: Type.Optional(
    Type.Union(
      SIGNING_ALGS.map((a) => Type.Literal(a)),
      { description: 'EdDSA (default), ES256, RS256 or the post-quantum ML-DSA-65.' },
    ),
  ),
  accessTokenTtl: Type.Optional(Ttl(CLIENT_LIMITS.accessTokenTtl)),
  refreshTokenTtl: Type.Optional(Ttl(CLIENT_LIMITS.refreshTokenTtl)),
  refreshGraceSeconds: Type.Optional(Ttl(CLIENT_LIMITS.refreshGraceSeconds)),
  refreshFamilyLifetime: Type.Optional(
    Type.Integer({
      minimum: CLIENT_LIMITS.refreshFamilyLifetime.min,
      maximum: CLIENT_LIMITS.refreshFamilyLifetime.max,
      description: 'Seconds a refresh family lives from its first token, however often it rotates. Default 30 days.',
    }),
  ),
  dpopBound: Type.Optional(Type.Boolean({ description: 'Every access token must be DPoP-bound (RFC 9449 §5.2).' })),
  dpopNonce: Type.Optional(Type.Boolean({ description: 'DPoP proofs must carry a server nonce (RFC 9449 §8).' })),
};

const CreateClientBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200 }), ...clientAttributes },
  { additionalProperties: false },
);
const UpdateClientBody = Type.Object(
  { name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), ...clientAttributes },
  { additionalProperties: false, minProperties: 1 },
);

const ClientView = Type.Object({
  clientId: Type.String(),
  name: Type.String(),
  scopes: Type.Array(Type.String()),
  audience: Type.Array(Type.String()),
  grantTypes: Type.Array(Type.String()),
  tokenEndpointAuthMethod: Type.String(),
  jwks: Nullable(Type.Object({ keys: Type.Array(Type.Object({}, { additionalProperties: true })) })),
  accessTokenFormat: Type.String(),
  signingAlg: Type.String(),
  accessTokenTtl: Type.Integer(),
  refreshTokenTtl: Type.Integer(),
  refreshGraceSeconds: Type.Integer(),
  refreshFamilyLifetime: Type.Integer(),
  dpopBound: Type.Boolean(),
  dpopNonce: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
const Secret = Type.String({ description: 'The client secret: shown this once only.' });
const Params = Type.Object({ clientId: ClientId });

function clientView(c: OAuthClientRecord) {
  return {
    clientId: c.id,
    name: c.name,
    scopes: c.scopes,
    audience: c.audience,
    grantTypes: c.grantTypes,
    tokenEndpointAuthMethod: c.authMethod,
    jwks: c.jwks,
    accessTokenFormat: c.accessTokenFormat,
    signingAlg: c.signingAlg,
    accessTokenTtl: c.accessTokenTtl,
    refreshTokenTtl: c.refreshTokenTtl,
    refreshGraceSeconds: c.refreshGraceSeconds,
    refreshFamilyLifetime: c.refreshFamilyLifetime,
    dpopBound: c.dpopBound,
    dpopNonce: c.dpopNonce,
    createdAt: iso(c.createdAt),
    updatedAt: iso(c.updatedAt),
  };
}

/** Management of OAuth clients and a view of the signing keys (permission `oauth:manage`). */
export function oauthClientRoutes(services: Services): FastifyPluginAsync {
  const { clients, keys } = services.oauth;
  return async (app0) => {
    const app = app0.withTypeProvider<TypeBoxTypeProvider>();
    const config = { permission: 'oauth:manage' as const };
    /** Creates and changes take an Idempotency-Key. */
    const changing = { ...config, idempotent: true };
    const tags = ['oauth clients'];

    app.post(
      '/v1/oauth/clients',
      {
        config: changing,
        schema: {
          tags,
          summary: 'Create an OAuth client',
          body: CreateClientBody,
          response: { 201: Type.Intersect([ClientView, Type.Object({ clientSecret: Type.Optional(Secret) })]) },
        },
      },
      async (request, reply) => {
        const { client, secret } = await clients.create(actorOf(request), request.body);
        return reply.code(201).send({ ...clientView(client), ...(secret !== undefined && { clientSecret: secret }) });
      },
    );

    app.get(
      '/v1/oauth/clients',
      {
        config,
        schema: {
          tags,
          summary: 'List OAuth clients',
          querystring: Type.Object({ limit: Type.Optional(Limit), cursor: Type.Optional(Cursor) }, { additionalProperties: false }),
          response: { 200: Type.Object({ items: Type.Array(ClientView), nextCursor: Nullable(Type.String()) }) },
        },
      },
      async (request) => {
        const { limit = 100, cursor } = request.query;
        const items = await clients.list(actorOf(request), {
          limit: limit + 1,
          after: cursor === undefined ? undefined : decodeCursor(cursor, 'oauthClient'),
        });
        const page = items.slice(0, limit);
        return { items: page.map(clientView), nextCursor: items.length > limit ? encodeCursor(page[page.length - 1]!.id) : null };
      },
    );

    app.get(
      '/v1/oauth/clients/:clientId',
      { config, schema: { tags, summary: 'Get an OAuth client', params: Params, response: { 200: ClientView } } },
      async (request) => clientView(await clients.get(actorOf(request), request.params.clientId)),
    );

    app.patch(
      '/v1/oauth/clients/:clientId',
      {
        config: changing,
        schema: { tags, summary: 'Update an OAuth client', params: Params, body: UpdateClientBody, response: { 200: ClientView } },
      },
      async (request) => clientView(await clients.update(actorOf(request), request.params.clientId, request.body)),
    );

    app.delete(
      '/v1/oauth/clients/:clientId',
      {
        config,
        schema: {
          tags,
          summary: 'Delete an OAuth client; its secrets stop working',
          params: Params,
          response: { 204: Type.Null({ description: 'Deleted' }) },
        },
      },
      async (request, reply) => {
        await clients.remove(actorOf(request), request.params.clientId);
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/v1/oauth/clients/:clientId/rotate-secret',
      {
        config: changing,
        schema: {
          tags,
          summary: 'Issue a new client secret; the old one works for the grace period',
          params: Params,
          body: Type.Optional(
            Type.Object({ gracePeriodSeconds: Type.Optional(Ttl(CLIENT_LIMITS.secretGraceSeconds)) }, { additionalProperties: false }),
          ),
          response: { 200: Type.Object({ clientId: Type.String(), clientSecret: Secret }) },
        },
      },
      async (request) => {
        const { client, secret } = await clients.rotateSecret(
          actorOf(request),
          request.params.clientId,
          request.body?.gracePeriodSeconds ?? 0,
        );
        return { clientId: client.id, clientSecret: secret };
      },
    );

    app.get(
      '/v1/oauth/signing-keys',
      {
        config,
        schema: {
          tags,
          summary: 'The signing keys and the role each plays now (next, current, previous)',
          response: {
            200: Type.Object({
              items: Type.Array(
                Type.Object({
                  kid: Type.String(),
                  alg: Type.String(),
                  state: Type.String(),
                  activatesAt: Type.String(),
                  retiresAt: Type.String(),
                  expiresAt: Type.String(),
                }),
              ),
            }),
          },
        },
      },
      async () => ({
        items: (await keys.describe()).map((k) => ({
          ...k,
          activatesAt: iso(k.activatesAt),
          retiresAt: iso(k.retiresAt),
          expiresAt: iso(k.expiresAt),
        })),
      }),
    );
  };
}
