import { problems } from '../../http/contract.js';
import { Type } from '../../http/schemas.js';
import { fullSession, userActor, type ConsoleApp, type ConsoleContext } from './console-context.js';
import { Password } from './console-schemas.js';

/** The signed-in user's own password. */
export function passwordRoutes(app: ConsoleApp, ctx: ConsoleContext): void {
  app.post(
    '/console/api/me/password',
    {
      config: { consoleSession: 'full' },
      schema: {
        operationId: 'changeOwnPassword',
        summary: 'Change your password',
        description:
          'Needs the current password (a wrong one counts towards the lockout, like a failed sign-in). The new one has at least 12 characters. Every other session of the user ends.',
        body: Type.Object(
          { current: Password, next: Password },
          {
            additionalProperties: false,
            examples: [{ current: 'correct horse battery staple', next: 'a longer passphrase nobody has guessed' }],
          },
        ),
        response: { 204: Type.Null({ description: 'Changed.' }), ...problems('VALIDATION_FAILED', 'RATE_LIMITED') },
      },
    },
    async (request, reply) => {
      const signed = fullSession(request);
      await ctx.services.console.users.changePassword(userActor(request, signed), signed, request.body.current, request.body.next);
      return reply.code(204).send(null);
    },
  );
}
