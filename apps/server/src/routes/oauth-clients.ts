import type { OAuthClientRecord } from '@tessera/core';
import type { FastifyPluginAsync } from 'fastify';
import { actorOf } from '../http/auth.js';
import { problems } from '../http/contract.js';
import { operations } from '../http/route-table.js';
import { listPage } from '../http/cursor.js';
import { iso } from '../http/views.js';
import type { Services } from '../wiring/services.js';
import {
  ClientParams,
  CreateClientBody,
  ListClientsQuery,
  OAUTH_CLIENT_SCHEMAS,
  OAuthClient,
  OAuthClientList,
  OAuthClientSecret,
  OAuthClientWithSecret,
  RotateSecretBody,
  UpdateClientBody,
} from './oauth-client-schemas.js';
import { oauthSigningKeyRoutes } from './oauth-signing-keys.js';

const params = ClientParams;

function clientView(c: OAuthClientRecord) {
  return {
    clientId: c.id,
    name: c.name,
    scopes: c.scopes,
    audience: c.audience,
    grantTypes: c.grantTypes,
    redirectUris: c.redirectUris,
    postLogoutRedirectUris: c.postLogoutRedirectUris,
    webOrigins: c.webOrigins,
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
    requirePar: c.requirePar,
    secretRotation:
      c.secretRotationDays === null ? null : { intervalDays: c.secretRotationDays, overlapSeconds: c.secretRotationOverlapSeconds ?? 0 },
    secretRotationDueAt: c.secretRotationDueAt === null ? null : iso(c.secretRotationDueAt),
    createdAt: iso(c.createdAt),
    updatedAt: iso(c.updatedAt),
  };
}

/**
 * Management of OAuth clients (permission `oauth:manage`), and the signing keys beside them. A
 * client's audience belongs to its workspace: naming one another workspace holds is a CONFLICT.
 */
export function oauthClientRoutes(services: Services): FastifyPluginAsync {
  const { clients } = services.oauth;
  return operations({ tags: ['oauth clients'], schemas: OAUTH_CLIENT_SCHEMAS }, async (route, app) => {
    const config = { permission: 'oauth:manage' as const };
    /** Creates and changes take an Idempotency-Key. */
    const changing = { ...config, idempotent: true };

    route.post(
      '/v1/oauth/clients',
      {
        ...changing,
        operationId: 'createOAuthClient',
        summary: 'Create an OAuth client; a secret-based client’s secret is in this answer only',
        body: CreateClientBody,
        response: { 201: OAuthClientWithSecret, ...problems('CONFLICT') },
      },
      async (request, reply) => {
        const { client, secret } = await clients.create(actorOf(request), request.body);
        return reply.code(201).send({ ...clientView(client), ...(secret !== undefined && { clientSecret: secret }) });
      },
    );

    route.get(
      '/v1/oauth/clients',
      {
        ...config,
        operationId: 'listOAuthClients',
        summary: 'List OAuth clients',
        querystring: ListClientsQuery,
        response: { 200: OAuthClientList },
      },
      async (request) =>
        listPage(
          request.query,
          'oauthClient',
          (limit, after) => clients.list(actorOf(request), { limit, after }),
          (page) => page.map(clientView),
        ),
    );

    route.get(
      '/v1/oauth/clients/:clientId',
      {
        ...config,
        operationId: 'getOAuthClient',
        summary: 'Get an OAuth client',
        params,
        response: { 200: OAuthClient, ...problems('NOT_FOUND') },
      },
      async (request) => clientView(await clients.get(actorOf(request), request.params.clientId)),
    );

    route.patch(
      '/v1/oauth/clients/:clientId',
      {
        ...changing,
        operationId: 'updateOAuthClient',
        summary: 'Update an OAuth client; every node reads it afresh',
        params,
        body: UpdateClientBody,
        response: { 200: OAuthClient, ...problems('NOT_FOUND', 'CONFLICT') },
      },
      async (request) => clientView(await clients.update(actorOf(request), request.params.clientId, request.body)),
    );

    route.remove(
      '/v1/oauth/clients/:clientId',
      {
        ...config,
        operationId: 'deleteOAuthClient',
        summary: 'Delete an OAuth client; its secrets stop working',
        params,
        response: problems('NOT_FOUND'),
      },
      (request) => clients.remove(actorOf(request), request.params.clientId),
    );

    route.post(
      '/v1/oauth/clients/:clientId/rotate-secret',
      {
        ...changing,
        operationId: 'rotateOAuthClientSecret',
        summary: 'Issue a new client secret; the old one works for the grace period',
        description: 'A `private_key_jwt` client has no secret: CONFLICT.',
        params,
        body: RotateSecretBody,
        response: { 200: OAuthClientSecret, ...problems('NOT_FOUND', 'CONFLICT') },
      },
      async (request) => {
        const { client, secret } = await clients.rotateSecret(actorOf(request), request.params.clientId, request.body?.gracePeriodSeconds);
        return { clientId: client.id, clientSecret: secret };
      },
    );

    await app.register(oauthSigningKeyRoutes(services));
  });
}
