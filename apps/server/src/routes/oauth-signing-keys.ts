import type { FastifyPluginAsync } from 'fastify';
import { iso } from '../http/views.js';
import type { Services } from '../wiring/services.js';
import { SigningKeyList } from './oauth-client-schemas.js';

/** The authorization server's signing keys and the role each plays now (permission `oauth:manage`). */
export function oauthSigningKeyRoutes(services: Services): FastifyPluginAsync {
  const { keys } = services.oauth;
  return async (app) => {
    app.get(
      '/v1/oauth/signing-keys',
      {
        config: { permission: 'oauth:manage' as const },
        schema: {
          operationId: 'listOAuthSigningKeys',
          tags: ['oauth clients'],
          summary: 'The signing keys and the role each plays now (next, current, previous)',
          response: { 200: SigningKeyList },
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
