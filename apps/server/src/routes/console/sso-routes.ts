import { ConsoleSso, type ConsoleSsoSettings } from '@tessera/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { setSessionCookie } from '../../http/console-session.js';
import { Type } from '../../http/schemas.js';
import { escape } from '../oauth/hosted-pages.js';
import { relyingParty, type ConsoleApp, type ConsoleContext } from './console-context.js';

/** Register `<console origin>/console/sso/callback` as the redirect URI at the provider. */
export const CONSOLE_SSO_CALLBACK_PATH = '/console/sso/callback';
const COOKIE = 'tessera_console_sso';
/** Ten minutes: as long as a sign-in sent upstream is taken back. */
const BINDING_MAX_AGE_S = 600;

/**
 * Console sign-in with the deployment's upstream OpenID Provider: what the sign-in page offers
 * (always answered), and, when one is configured, the start (sends the browser upstream) and the
 * callback (validates the answer and opens the session, then back to the console). The start and
 * the callback are a browser's navigations, not API: left out of the OpenAPI document.
 */
export function ssoRoutes(settings: ConsoleSsoSettings | undefined): (app: ConsoleApp, ctx: ConsoleContext) => void {
  return (app, ctx) => {
    app.get(
      '/console/api/sign-in-options',
      {
        schema: {
          operationId: 'getConsoleSignInOptions',
          summary: 'How one may sign in to the console',
          description:
            'Whether the console also signs in with an upstream OpenID Provider, and the name its button shows ("Sign in with <label>"). Local accounts always sign in with a password and a second factor.',
          security: [],
          response: {
            200: Type.Object(
              {
                upstream: Type.Union([
                  Type.Object({
                    label: Type.String({ description: 'The provider’s name on the button.' }),
                    start: Type.String({ description: 'Where the button goes: the start of the sign-in.' }),
                  }),
                  Type.Null({ description: 'Not configured: local accounts only.' }),
                ]),
              },
              { examples: [{ upstream: { label: 'Acme SSO', start: '/console/sso/start' } }] },
            ),
          },
        },
      },
      async () => ({ upstream: settings === undefined ? null : { label: settings.label, start: '/console/sso/start' } }),
    );
    if (settings === undefined) return;
    const { services } = ctx;
    const sso = new ConsoleSso(
      {
        store: services.store,
        keyring: services.keyring,
        clock: services.clock,
        sessions: services.console.sessions,
        passwords: services.console.passwords,
        pending: services.oauth.store,
        discovery: services.oauth.server.discovery,
        lockout: services.console.lockout,
      },
      settings,
    );
    const redirectUri = (request: FastifyRequest) => relyingParty(ctx, request).origin + CONSOLE_SSO_CALLBACK_PATH;
    const hide = { hide: true };

    app.get('/console/sso/start', { schema: hide }, async (request, reply) => {
      const started = await sso.start(redirectUri(request), readBinding(request));
      if (!started.ok) return sendPage(reply, 502, started.page);
      setBinding(request, reply, started.binding);
      reply.header('cache-control', 'no-store');
      return reply.code(303).header('location', started.location).send();
    });

    app.get(CONSOLE_SSO_CALLBACK_PATH, { schema: hide }, async (request, reply) => {
      const answer = new Map<string, string>();
      for (const [k, v] of new URLSearchParams(request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : ''))
        if (!answer.has(k)) answer.set(k, v);
      const done = await sso.finish(answer, readBinding(request), redirectUri(request), request.ip, request.headers['user-agent']);
      if (!done.ok) return sendPage(reply, done.status, done.page);
      // Exactly the cookie a sign-in with a password and a second factor sets.
      setSessionCookie(request, reply, done.token, services.console.policy.absoluteMs / 1000);
      reply.header('cache-control', 'no-store');
      return reply.code(303).header('location', '/console/').send();
    });
  };
}

/** Why the sign-in cannot go on, with the way back to the console's sign-in page (the console's CSP: no inline style or script). */
function sendPage(reply: FastifyReply, status: number, message: string): FastifyReply {
  reply.header('cache-control', 'no-store');
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Cannot sign in</title></head><body><main><h1>This sign-in cannot continue</h1><p role="alert">${escape(message)}</p><p><a href="/console/">Back to the console sign-in</a></p></main></body></html>`,
    );
}

/** The binding cookie: `__Host-` over TLS, HttpOnly, SameSite=Lax (the upstream's redirect back is a cross-site navigation that must carry it). */
const cookieName = (request: FastifyRequest) => (secure(request) ? `__Host-${COOKIE}` : COOKIE);
const secure = (request: FastifyRequest) => request.protocol === 'https' || request.server.consoleOverTls === true;

function readBinding(request: FastifyRequest): string | undefined {
  const wanted = cookieName(request);
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === wanted && part.slice(eq + 1).trim() !== '') return part.slice(eq + 1).trim();
  }
  return undefined;
}

function setBinding(request: FastifyRequest, reply: FastifyReply, value: string): void {
  reply.header(
    'set-cookie',
    `${cookieName(request)}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${BINDING_MAX_AGE_S}${secure(request) ? '; Secure' : ''}`,
  );
}
