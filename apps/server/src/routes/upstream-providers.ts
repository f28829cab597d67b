import { FEDERATION_CALLBACK_PATH, type UpstreamProviderRecord } from '@tessera/core';
import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../config.js';
import { actorOf } from '../http/auth.js';
import { problems } from '../http/contract.js';
import { operations } from '../http/route-table.js';
import { issuerOf } from '../http/issuer.js';
import { List, RefTo, Time, Type } from '../http/schemas.js';
import { iso } from '../http/views.js';
import type { Services } from '../wiring/services.js';

const PROVIDER_ID = 'idp_0Hq4C7d8E9f0G1h2I3j4K5';

const ClaimMapping = Type.Object(
  {
    email: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'The claim that holds the email. Default `email`.' })),
    emailVerified: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        description: 'The claim that says the email is verified (`true`). Default `email_verified`.',
      }),
    ),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'The claim that holds the name. Default `name`.' })),
  },
  { additionalProperties: false, description: 'Which upstream claims fill the end user’s fields.' },
);

const example = {
  providerId: PROVIDER_ID,
  name: 'Acme SSO',
  issuer: 'https://sso.acme.example',
  clientId: 'tessera',
  scopes: ['openid', 'email', 'profile'],
  claimMapping: {},
  redirectUri: 'https://tessera.example.com/oauth/federation/callback',
  createdAt: '2026-03-02T09:00:00.000Z',
  updatedAt: '2026-03-02T09:00:00.000Z',
};

const ProviderShape = Type.Object(
  {
    providerId: Type.String(),
    name: Type.String(),
    issuer: Type.String(),
    clientId: Type.String(),
    scopes: Type.Array(Type.String()),
    claimMapping: ClaimMapping,
    redirectUri: Type.String({ description: 'The redirect URI to register at the upstream provider for this client.' }),
    createdAt: Time,
    updatedAt: Time,
  },
  {
    $id: 'UpstreamProvider',
    description: 'An upstream OpenID Provider the workspace’s end users may sign in with; the client secret is never shown.',
    examples: [example],
  },
);
const UpstreamProvider = RefTo(ProviderShape);

const CreateBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, description: 'Shown as “Sign in with <name>”; unique in the workspace.' }),
    issuer: Type.String({
      minLength: 8,
      maxLength: 2000,
      description: 'Its issuer identifier: `<issuer>/.well-known/openid-configuration` is read now. HTTPS (HTTP on loopback only).',
    }),
    clientId: Type.String({ minLength: 1, maxLength: 255 }),
    clientSecret: Type.String({
      minLength: 1,
      maxLength: 1024,
      description: 'Kept encrypted under the workspace’s data key; never shown.',
    }),
    scopes: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
        maxItems: 20,
        description: 'Default `openid email profile`; `openid` always.',
      }),
    ),
    claimMapping: Type.Optional(ClaimMapping),
  },
  {
    additionalProperties: false,
    examples: [
      { name: 'Acme SSO', issuer: 'https://sso.acme.example', clientId: 'tessera', clientSecret: 'b4Xk…', scopes: ['openid', 'email'] },
    ],
  },
);
const params = Type.Object({ providerId: Type.String({ pattern: '^idp_[0-9A-Za-z]{22}$' }) });
const ProviderList = List(UpstreamProvider, [example]);

/**
 * The workspace's upstream OpenID Providers (`oauth:manage`): its end users may sign in with them
 * on the hosted sign-in page (docs/oauth.md, "Sign-in with an upstream provider").
 */
export function upstreamProviderRoutes(services: Services, config: Config): FastifyPluginAsync {
  const providers = services.oauth.upstreamProviders;
  return operations({ tags: ['oauth clients'] }, (route, app) => {
    const issuer = issuerOf(app, config);
    app.addSchema(ProviderShape);
    const manage = { permission: 'oauth:manage' as const };
    const view = (p: UpstreamProviderRecord) => ({
      providerId: p.id,
      name: p.name,
      issuer: p.issuer,
      clientId: p.clientId,
      scopes: p.scopes,
      claimMapping: p.claimMapping,
      redirectUri: issuer() + FEDERATION_CALLBACK_PATH,
      createdAt: iso(p.createdAt),
      updatedAt: iso(p.updatedAt),
    });

    route.post(
      '/v1/oauth/upstream-providers',
      {
        ...manage,
        idempotent: true,
        operationId: 'createUpstreamProvider',
        summary: 'Register an upstream OpenID Provider',
        description: 'Reads the issuer’s discovery document first: an issuer that cannot be discovered is refused (`VALIDATION_FAILED`).',
        body: CreateBody,
        response: { 201: UpstreamProvider, ...problems('CONFLICT') },
      },
      async (request, reply) => reply.code(201).send(view(await providers.register(actorOf(request), request.body))),
    );

    route.get(
      '/v1/oauth/upstream-providers',
      {
        ...manage,
        operationId: 'listUpstreamProviders',
        summary: 'List upstream OpenID Providers',
        response: { 200: ProviderList },
      },
      async (request) => ({ items: (await providers.list(actorOf(request))).map(view) }),
    );

    route.get(
      '/v1/oauth/upstream-providers/:providerId',
      {
        ...manage,
        operationId: 'getUpstreamProvider',
        summary: 'Get an upstream OpenID Provider',
        params,
        response: { 200: UpstreamProvider, ...problems('NOT_FOUND') },
      },
      async (request) => view(await providers.get(actorOf(request), request.params.providerId)),
    );

    route.remove(
      '/v1/oauth/upstream-providers/:providerId',
      {
        ...manage,
        operationId: 'deleteUpstreamProvider',
        summary: 'Remove an upstream OpenID Provider and unlink the accounts linked to it',
        params,
        response: problems('NOT_FOUND'),
      },
      (request) => providers.remove(actorOf(request), request.params.providerId),
    );
  });
}
