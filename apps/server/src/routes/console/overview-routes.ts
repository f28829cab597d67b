import { hasPermission } from '@tessera/core';
import { rolePermissions } from '../../http/console-session.js';
import { Nullable, Type } from '../../http/schemas.js';
import { fullSession, userActor, type ConsoleApp, type ConsoleContext } from './console-context.js';
import { SERIES_EXAMPLE, VerifySeries } from './console-schemas.js';

const Count = (description: string) => Nullable(Type.Integer({ description }));

const Overview = Type.Object(
  {
    activeKeys: Count('Keys neither revoked, disabled nor expired; null without `keys:read`.'),
    keyspaces: Count('null without `keyspaces:read`.'),
    secretsDue: Nullable(
      Type.Array(
        Type.Object({
          name: Type.String(),
          rotation: Type.String({ description: '`due` or `overdue`.' }),
          rotateBy: Nullable(Type.String({ format: 'date-time' })),
        }),
        { description: 'Secrets due for rotation; null without `secrets:read`.' },
      ),
    ),
    verifications: Type.Union(
      [
        Type.Object({
          windowMinutes: Type.Integer(),
          scope: Type.Literal('node', { description: 'Counted by the node that answered, in memory.' }),
          series: VerifySeries,
        }),
        Type.Null(),
      ],
      { description: 'Verifications per minute by outcome over the last hour; null without `keys:read`.' },
    ),
  },
  {
    examples: [
      {
        activeKeys: 42,
        keyspaces: 3,
        secretsDue: [{ name: 'stripe/live', rotation: 'due', rotateBy: '2026-05-10T00:00:00.000Z' }],
        verifications: { windowMinutes: 60, scope: 'node', series: SERIES_EXAMPLE },
      },
    ],
  },
);

/** The console's first page: counts and the last hour's verifications, each as far as the user's role may read. */
export function overviewRoutes(app: ConsoleApp, { services }: ConsoleContext): void {
  app.get(
    '/console/api/overview',
    {
      config: { consoleSession: 'full' },
      schema: {
        operationId: 'getConsoleOverview',
        summary: 'Counts and recent verifications, for the first page',
        response: { 200: Overview },
      },
    },
    async (request) => {
      const signed = fullSession(request);
      const actor = userActor(request, signed);
      const perms = rolePermissions(signed.user.role);
      const canRead = hasPermission(perms, 'keys:read');
      const activeKeys = canRead ? await services.store.console.countActiveKeys(signed.user.workspaceId, services.clock.now()) : null;
      const keyspaces = hasPermission(perms, 'keyspaces:read') ? (await services.keys.listKeyspaces(actor)).length : null;
      let secretsDue: { name: string; rotation: string; rotateBy: string | null }[] | null = null;
      if (hasPermission(perms, 'secrets:read')) {
        const due = await services.vault.list({ actor, grants: perms }, { rotation: 'due' });
        secretsDue = due.map((s) => ({
          name: s.name,
          rotation: s.rotation,
          rotateBy: s.rotateBy === null ? null : new Date(s.rotateBy).toISOString(),
        }));
      }
      return {
        activeKeys,
        keyspaces,
        secretsDue,
        verifications: canRead
          ? { windowMinutes: services.verifyTimeline.windowMinutes, scope: 'node' as const, series: services.verifyTimeline.series() }
          : null,
      };
    },
  );
}
