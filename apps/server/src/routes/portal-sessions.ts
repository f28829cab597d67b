import type { PortalSettings } from '@tessera/core';
import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../config.js';
import { actorOf } from '../http/auth.js';
import { problems } from '../http/contract.js';
import { operations } from '../http/route-table.js';
import { issuerOf } from '../http/issuer.js';
import { Answer } from '../http/schemas.js';
import { iso } from '../http/views.js';
import type { Services } from '../wiring/services.js';
import { keyspaceSettingsRoutes } from './keyspace-settings.js';
import { PORTAL_OPEN_PATH } from './portal/portal-routes.js';
import { PortalSessionAnswer, PortalSessionBody, PortalSettingsAnswer, PortalSettingsBody } from './portal-schemas.js';

const settingsView = (s: PortalSettings, keyspaceId: string) => ({
  keyspaceId,
  maxKeysPerOwner: s.maxKeysPerOwner,
  allowedScopes: s.allowedScopes,
  maxLifetimeSeconds: s.maxLifetimeSeconds,
  appName: s.appName,
  logoUrl: s.logoUrl,
  brandColor: s.brandColor,
  updatedAt: s.updatedAt === 0 ? null : iso(s.updatedAt),
});

/** The portal through the API: sessions handed to key owners, and each keyspace's portal settings. */
export function portalSessionRoutes(services: Services, config: Config): FastifyPluginAsync {
  const { portal } = services;
  return operations({ tags: ['portal'] }, (route, app) => {
    const issuer = issuerOf(app, config);

    route.post(
      '/v1/portal/sessions',
      {
        permission: 'portal:manage',
        keyspace: { body: 'keyspaceId' },
        operationId: 'createPortalSession',
        summary: 'Hand a key owner a portal session: a single-use link to manage their own keys',
        description:
          'Send the signed-in customer’s browser to `url`: it opens the portal once, within five minutes, where they list, create, roll and revoke their keys of this keyspace within its portal settings (docs/portal.md).',
        body: PortalSessionBody,
        response: { 201: Answer('The portal link.', PortalSessionAnswer), ...problems('NOT_FOUND') },
      },
      async (request, reply) => {
        const { token, session } = await portal.sessions.create(actorOf(request), request.body);
        return reply
          .code(201)
          .send({ id: session.id, url: `${issuer()}${PORTAL_OPEN_PATH}/${token}`, expiresAt: iso(session.linkExpiresAt) });
      },
    );

    keyspaceSettingsRoutes(route, '/v1/keyspaces/:keyspaceId/portal', {
      service: portal.settings,
      answer: PortalSettingsAnswer,
      view: settingsView,
      read: { operationId: 'getPortalSettings', summary: "A keyspace's portal settings (the defaults until set)" },
      write: {
        method: 'patch',
        operationId: 'updatePortalSettings',
        summary: "Change a keyspace's portal settings: key owners' limits and the portal's branding",
        body: PortalSettingsBody,
      },
    });
  });
}
