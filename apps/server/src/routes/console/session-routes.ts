import { TesseraError } from '@tessera/core';
import { problems } from '../../http/contract.js';
import { clearSessionCookie, requireSession, sessionToken } from '../../http/console-session.js';
import { Type } from '../../http/schemas.js';
import { fullSession, sessionAnswer, type ConsoleApp, type ConsoleContext } from './console-context.js';
import { SessionAnswer } from './console-schemas.js';

/** The signed-in session: what the console reads when it loads, and signing out. */
export function sessionRoutes(app: ConsoleApp, ctx: ConsoleContext): void {
  app.get(
    '/console/api/session',
    {
      config: { consoleSession: 'full' },
      schema: {
        operationId: 'getConsoleSession',
        summary: 'The signed-in session',
        description: 'Who is signed in, with which permissions, the CSRF token for changes, and which optional pages this build serves.',
        response: { 200: SessionAnswer },
      },
    },
    async (request) => {
      const signed = fullSession(request);
      return sessionAnswer(ctx, request, signed, signed.token);
    },
  );

  app.delete(
    '/console/api/session',
    {
      schema: {
        operationId: 'signOut',
        summary: 'Sign out',
        description:
          'Ends the session behind the cookie, if any, and clears the cookie. A session still needs its CSRF token, so another site cannot sign a user out.',
        security: [{ consoleSession: [], csrfToken: [] }, {}],
        response: { 204: Type.Null({ description: 'Signed out (or there was no session).' }), ...problems('CSRF_FAILED') },
      },
    },
    async (request, reply) => {
      const token = sessionToken(request);
      if (token !== undefined) {
        await requireSession(ctx.services, request).catch((err: unknown) => {
          if (err instanceof TesseraError && err.code === 'CSRF_FAILED') throw err;
        });
        await ctx.services.console.sessions.end(token, request.ip);
      }
      clearSessionCookie(request, reply);
      return reply.code(204).send(null);
    },
  );
}
