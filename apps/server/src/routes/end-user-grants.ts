import type { GrantedApp } from '@tessera/core';
import type { FastifyPluginAsync } from 'fastify';
import { actorOf } from '../http/auth.js';
import { problems } from '../http/contract.js';
import { operations } from '../http/route-table.js';
import { List, Nullable, Type } from '../http/schemas.js';
import { iso } from '../http/views.js';
import type { Services } from '../wiring/services.js';

const UserId = Type.String({ pattern: '^eu_[0-9A-Za-z]{22}$' });
const params = Type.Object({ userId: UserId });
const grantParams = Type.Object({ userId: UserId, clientId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[0-9A-Za-z_]+$' }) });

const grantExample = {
  clientId: 'cli_0Hq4C7d8E9f0G1h2I3j4K5',
  clientName: 'Notes for iOS',
  scopes: ['openid', 'profile', 'offline_access'],
  grantedAt: '2026-03-02T09:00:00.000Z',
  updatedAt: '2026-03-04T12:30:00.000Z',
  activeGrants: 1,
};

const Grant = Type.Object(
  {
    clientId: Type.String(),
    clientName: Nullable(Type.String({ description: 'Null when the client was deleted since.' })),
    scopes: Type.Array(Type.String(), { description: 'The scopes the user consented to; empty when only a grant remains.' }),
    grantedAt: Nullable(Type.String({ format: 'date-time', description: 'When the user first allowed the app; null without a consent.' })),
    updatedAt: Nullable(Type.String({ format: 'date-time', description: 'When the consent last changed.' })),
    activeGrants: Type.Integer({ description: 'Refresh-token families alive: apps or devices holding a refresh token of the user.' }),
  },
  { description: 'An app the user allowed, and what it holds.' },
);
const GrantList = List(Grant, [grantExample]);
const Ended = Type.Object(
  {
    familiesRevoked: Type.Integer({ description: 'Refresh-token families revoked.' }),
    consentsForgotten: Type.Integer({ description: 'Consents forgotten: the next sign-in to those apps asks again.' }),
  },
  { examples: [{ familiesRevoked: 3, consentsForgotten: 2 }] },
);

const grantView = (g: GrantedApp) => ({
  clientId: g.clientId,
  clientName: g.clientName,
  scopes: g.scope,
  grantedAt: g.grantedAt === null ? null : iso(g.grantedAt),
  updatedAt: g.updatedAt === null ? null : iso(g.updatedAt),
  activeGrants: g.activeGrants,
});

/**
 * An administrator's view of what a user granted (`end_users:read`), and the two ways to end it
 * (`end_users:manage`): one app's access, or every sign-in and grant of the user.
 */
export function endUserGrantRoutes(services: Services): FastifyPluginAsync {
  const grants = services.oauth.userGrants;
  return operations({ tags: ['end users'] }, (route) => {
    const read = { permission: 'end_users:read' as const };
    const manage = { permission: 'end_users:manage' as const };

    route.get(
      '/v1/users/:userId/grants',
      {
        ...read,
        operationId: 'listEndUserGrants',
        summary: 'List the apps a user granted access, with their scopes and live refresh tokens',
        params,
        response: { 200: GrantList, ...problems('NOT_FOUND') },
      },
      async (request) => ({ items: (await grants.list(actorOf(request), request.params.userId)).map(grantView) }),
    );

    route.remove(
      '/v1/users/:userId/grants/:clientId',
      {
        ...manage,
        operationId: 'revokeEndUserGrant',
        summary: 'Revoke an app’s access: its consent is forgotten and its refresh tokens stop working',
        params: grantParams,
        done: 'Revoked',
        response: problems('NOT_FOUND'),
      },
      (request) => grants.revoke(actorOf(request), request.params.userId, request.params.clientId),
    );

    route.post(
      '/v1/users/:userId/sessions/end',
      {
        ...manage,
        operationId: 'endEndUserSessions',
        summary: 'End every sign-in of a user, revoke all their grants and forget their consents',
        description:
          'Every session cookie made before now is refused (the user signs in again), every refresh-token family of the user is revoked, and every consent is forgotten. Access tokens already issued live out their few minutes.',
        params,
        response: { 200: Ended, ...problems('NOT_FOUND') },
      },
      async (request) => grants.endAll(actorOf(request), request.params.userId),
    );
  });
}
