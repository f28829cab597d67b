import { problems } from '../../http/contract.js';
import { IdParams, Nullable, Type } from '../../http/schemas.js';
import { fullSession, userActor, type ConsoleApp, type ConsoleContext } from './console-context.js';
import { SERIES_EXAMPLE, VerifySeries } from './console-schemas.js';

const KeyUsage = Type.Object(
  {
    windowMinutes: Type.Integer(),
    scope: Type.Literal('node', { description: 'Counted by the node that answered, in memory.' }),
    series: VerifySeries,
    recent: Type.Array(
      Type.Object({
        at: Type.String({ format: 'date-time' }),
        code: Type.String({ description: 'The verify outcome (`VALID`, `EXPIRED`, …).' }),
        ip: Nullable(Type.String()),
      }),
      { description: "The key's latest verifications on this node, newest first." },
    ),
  },
  {
    examples: [
      {
        windowMinutes: 60,
        scope: 'node',
        series: SERIES_EXAMPLE,
        recent: [{ at: '2026-05-04T08:12:41.000Z', code: 'VALID', ip: '203.0.113.7' }],
      },
    ],
  },
);

/** One key's verifications over the last hour, for its page in the console. */
export function keyUsageRoutes(app: ConsoleApp, { services }: ConsoleContext): void {
  app.get(
    '/console/api/keys/:keyId/usage',
    {
      config: { consoleSession: 'full', consolePermission: 'keys:read' },
      schema: {
        operationId: 'getKeyUsageTimeline',
        summary: "A key's verifications per minute and its latest ones",
        params: IdParams('keyId'),
        response: { 200: KeyUsage, ...problems('NOT_FOUND') },
      },
    },
    async (request) => {
      const signed = fullSession(request);
      const { keyId } = request.params;
      // Reading the key checks that it exists in the user's workspace.
      await services.keys.getKey(userActor(request, signed), keyId);
      const timeline = services.verifyTimeline;
      return {
        windowMinutes: timeline.windowMinutes,
        scope: 'node' as const,
        series: timeline.series(keyId),
        recent: timeline.recent(keyId),
      };
    },
  );
}
