import type { WorkspaceBranding } from '@tessera/core';
import type { FastifyPluginAsync } from 'fastify';
import { actorOf } from '../http/auth.js';
import { problems } from '../http/contract.js';
import { operations } from '../http/route-table.js';
import { Nullable, Type } from '../http/schemas.js';
import type { Services } from '../wiring/services.js';

const example = { name: 'Notes', logoUrl: 'https://notes.example/logo.png', color: '#0b6e4f' };

const Branding = Type.Object(
  {
    name: Nullable(Type.String({ description: 'Shown above each page’s heading; null: none.' })),
    logoUrl: Nullable(Type.String({ description: 'An https: image shown above the heading; null: none.' })),
    color: Nullable(Type.String({ description: 'The accent colour of buttons and links, #rgb or #rrggbb; null: Tessera’s blue.' })),
  },
  {
    description: 'How the workspace’s hosted pages look: sign-in, second factor, consent, the device pages, the account page.',
    examples: [example],
  },
);
const BrandingPatch = Type.Object(
  {
    name: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 100 }))),
    logoUrl: Type.Optional(Nullable(Type.String({ maxLength: 2000, description: 'An absolute https: URL without credentials.' }))),
    color: Type.Optional(Nullable(Type.String({ pattern: '^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$' }))),
  },
  {
    additionalProperties: false,
    description: 'Each field given replaces the current one (null clears it); the rest stay.',
    examples: [example],
  },
);

const view = (b: WorkspaceBranding) => ({ name: b.name, logoUrl: b.logoUrl, color: b.color });

/** The brand of the workspace's hosted pages (`oauth:manage`): read it and change it. */
export function workspaceBrandingRoutes(services: Services): FastifyPluginAsync {
  const brandings = services.oauth.server.brandings;
  return operations({ tags: ['oauth'] }, (route) => {
    const config = { permission: 'oauth:manage' as const };

    route.get(
      '/v1/workspace/branding',
      {
        ...config,
        operationId: 'getWorkspaceBranding',
        summary: 'The brand of the hosted pages',
        response: { 200: Branding },
      },
      async (request) => view(await brandings.get(actorOf(request).workspaceId ?? '')),
    );

    route.patch(
      '/v1/workspace/branding',
      {
        ...config,
        operationId: 'updateWorkspaceBranding',
        summary: 'Change the brand of the hosted pages: name, logo, colour',
        body: BrandingPatch,
        response: { 200: Branding, ...problems('VALIDATION_FAILED') },
      },
      async (request) => view(await brandings.update(actorOf(request), request.body)),
    );
  });
}
