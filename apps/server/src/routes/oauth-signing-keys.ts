import type { FastifyPluginAsync } from 'fastify';
import { DEFAULT_WORKSPACE_ID, TesseraError } from '@tessera/core';
import { actorOf } from '../http/auth.js';
import { problems } from '../http/contract.js';
import { operations } from '../http/route-table.js';
import { Nullable, Type } from '../http/schemas.js';
import { iso } from '../http/views.js';
import type { Services } from '../wiring/services.js';
import { SigningKeyList } from './oauth-client-schemas.js';

const KidParams = Type.Object({
  kid: Type.String({ pattern: '^[A-Za-z0-9_-]{1,128}$', description: 'The key id, as in the JWKS and the token header.' }),
});

const RetireBody = Type.Optional(
  Type.Object(
    { reason: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Why, for the audit log (no secrets).' })) },
    { additionalProperties: false, examples: [{ reason: 'private key exposed in a backup' }] },
  ),
);

const Retired = Type.Object(
  {
    kid: Type.String(),
    state: Type.Union([Type.Literal('next'), Type.Literal('current'), Type.Literal('previous')], {
      description: 'The role the key played when it was retired.',
    }),
    successor: Nullable(Type.String({ description: 'The key that signs in its place from now on, when the retired key was signing.' })),
  },
  {
    examples: [
      { kid: 'qniBqlqvCllOp7nSjc_My56z0LehjaGLZWRD_AraGTI', state: 'current', successor: 'VtzCqbmNyJTeGKgKZyDEhdFLi4ooZI2Dn4eacUEWrMg' },
    ],
  },
);

/** The authorization server's signing keys and the role each plays now (permission `oauth:manage`). */
export function oauthSigningKeyRoutes(services: Services): FastifyPluginAsync {
  const { keys } = services.oauth;
  return operations({ tags: ['oauth clients'] }, (route) => {
    route.get(
      '/v1/oauth/signing-keys',
      {
        permission: 'oauth:manage' as const,
        operationId: 'listOAuthSigningKeys',
        summary: 'The signing keys and the role each plays now (next, current, previous)',
        response: { 200: SigningKeyList },
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

    route.post(
      '/v1/oauth/signing-keys/:kid/retire',
      {
        permission: 'oauth:manage' as const,
        idempotent: true,
        operationId: 'retireOAuthSigningKey',
        summary: 'Retire a signing key now (emergency): out of the JWKS, its tokens refused, a successor signs',
        description:
          'The key leaves the JWKS at once on every node and no token it signed verifies or introspects as active any more. ' +
          'When it was signing, the published next key of its algorithm takes over (or a fresh key, made before anything is retired), ' +
          'and a new next key is published. A key no longer published: NOT_FOUND. ' +
          "Signing keys belong to the installation, not to a workspace: only a caller acting in the default workspace (`ws_default`, the installation's own) may retire one; any other is FORBIDDEN.",
        params: KidParams,
        body: RetireBody,
        response: { 200: Retired, ...problems('FORBIDDEN', 'NOT_FOUND') },
      },
      async (request) => {
        const actor = actorOf(request);
        // Every workspace's tokens are signed with these keys: one team retiring them would cut off every other team's.
        if (actor.workspaceId !== DEFAULT_WORKSPACE_ID)
          throw new TesseraError(
            'FORBIDDEN',
            'Signing keys belong to the installation: retire one acting in the default workspace (ws_default).',
          );
        return services.oauth.retireSigningKey(request.params.kid, actor, request.body?.reason);
      },
    );
  });
}
