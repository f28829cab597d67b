import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ConsoleSsoSettings } from '@tessera/core';
import type { FastifyPluginAsync, FastifyRequest, RouteOptions } from 'fastify';
import { declareCommonProblems, SAFE_METHODS } from '../../http/contract.js';
import { requireHalfSession, requirePermission, requireSession, type ConsoleSessionKind } from '../../http/console-session.js';
import type { Services } from '../../wiring/services.js';
import type { ConsoleContext } from './console-context.js';
import { enrolmentRoutes } from './enrolment-routes.js';
import { keyUsageRoutes } from './key-usage-routes.js';
import { keyringRoutes } from './custody-status-routes.js';
import { overviewRoutes } from './overview-routes.js';
import { passkeyRoutes } from './passkey-routes.js';
import { passwordRoutes } from './password-routes.js';
import { sessionRoutes } from './session-routes.js';
import { signInRoutes } from './sign-in-routes.js';
import { ssoRoutes } from './sso-routes.js';
import { userRoutes } from './user-routes.js';

/** Where Vite writes the console (`npm run build`): inside the server package, beside its code. */
export const CONSOLE_DIST = fileURLToPath(new URL('../../../dist/console-app/', import.meta.url));

/**
 * The console's page policy: everything from this origin only, nothing inline, no framing.
 * The bundle has no inline script or style, so the policy costs it nothing.
 */
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const API = '/console/api/';

/**
 * The web console: its static files at `/console/`, and the session API it signs in with at
 * `/console/api/…`. Everything else it does goes through the management API (`/v1/…`) with the
 * session cookie and CSRF token in place of a root key (see http/auth.ts).
 */
export function consoleRoutes(
  services: Services,
  options: { distDir?: string; origin?: string | undefined; sso?: ConsoleSsoSettings | undefined } = {},
): FastifyPluginAsync {
  const ctx: ConsoleContext = { services, origin: options.origin };

  return async (app) => {
    app.decorateRequest('consoleSession', undefined);
    app.addHook('onSend', async (request, reply) => {
      if (request.url.startsWith('/console')) {
        reply.header('content-security-policy', CSP);
        reply.header('x-frame-options', 'DENY');
        reply.header('referrer-policy', 'no-referrer');
      }
    });

    app.addHook('onRoute', (route) => {
      if (route.url.startsWith(API)) withConsoleSession(services, route);
    });

    await servePage(app, options.distDir ?? CONSOLE_DIST);
    const api = app.withTypeProvider<TypeBoxTypeProvider>();
    for (const routes of [
      signInRoutes,
      enrolmentRoutes,
      sessionRoutes,
      passwordRoutes,
      passkeyRoutes,
      userRoutes,
      overviewRoutes,
      keyUsageRoutes,
      keyringRoutes,
      ssoRoutes(options.sso),
    ])
      routes(api, ctx);
  };
}

/** The page and its files; a note instead when this copy was not built. Not API: left out of the OpenAPI document. */
async function servePage(app: Parameters<FastifyPluginAsync>[0], distDir: string): Promise<void> {
  const hide = { hide: true };
  app.get('/console', { schema: hide }, async (_request, reply) => reply.redirect('/console/'));
  if (existsSync(distDir)) {
    await app.register(fastifyStatic, { root: distDir, prefix: '/console/', index: 'index.html', wildcard: true, decorateReply: false });
  } else {
    app.get('/console/', { schema: hide }, async (_request, reply) =>
      reply.type('text/plain; charset=utf-8').send('The console is not built in this copy of Tessera: run `npm run build` and restart.\n'),
    );
  }
}

/**
 * A console API route's session check, from its `config.consoleSession` (and the permission its
 * user's role needs, `config.consolePermission`): a hook that runs before the handler, after
 * validation, and the contract that says so: the cookie and CSRF token it needs, and the problems
 * the check can answer.
 */
function withConsoleSession(services: Services, route: RouteOptions): void {
  const kind: ConsoleSessionKind | undefined = route.config?.consoleSession;
  const permission = route.config?.consolePermission;
  if (permission !== undefined && kind !== 'full') throw new Error(`${route.url}: consolePermission needs consoleSession 'full'`);
  if (kind !== undefined) {
    const check =
      kind === 'full'
        ? async (request: FastifyRequest) => {
            const { token, ...signed } = await requireSession(services, request);
            if (permission !== undefined) requirePermission(signed.user, permission);
            request.consoleSession = { kind, signed, token };
          }
        : async (request: FastifyRequest) => {
            const { half, token } = await requireHalfSession(services, request);
            request.consoleSession = { kind, half, token };
          };
    const existing = route.preHandler === undefined ? [] : Array.isArray(route.preHandler) ? route.preHandler : [route.preHandler];
    route.preHandler = [...existing, check] as RouteOptions['preHandler'];
  }
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  const csrf = kind === 'half' || (kind === 'full' && methods.some((m) => !SAFE_METHODS.has(m)));
  route.schema = {
    tags: ['console'],
    security: kind === undefined ? [] : [csrf ? { consoleSession: [], csrfToken: [] } : { consoleSession: [] }],
    ...route.schema,
  };
  declareCommonProblems(route, {
    authenticated: false,
    idempotent: false,
    store: true,
    consoleSession: kind,
    consolePermission: permission !== undefined,
  });
}
