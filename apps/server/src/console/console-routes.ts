import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { CONSOLE_ROLES, EnvelopeKeyring, hasPermission, TesseraError, type Actor } from '@tessera/core';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { IdParams, Text, Type } from '../http/schemas.js';
import type { Services } from '../services.js';
import { userView, type Signed } from './console-accounts.js';
import { csrfTokenFor } from './console-accounts.js';
import { keyringStatus } from './custody-status.js';
import { passkeyView, type RelyingParty } from './console-passkeys.js';
import {
  clearSessionCookie,
  requireHalfSession,
  requirePermission,
  requireSession,
  rolePermissions,
  sessionToken,
  setSessionCookie,
} from './session-auth.js';

/** Where Vite writes the console (`npm run build`): inside the server package, beside its code. */
export const CONSOLE_DIST = fileURLToPath(new URL('../../dist/console-app/', import.meta.url));

/**
 * The console's page policy: everything from this origin only, nothing inline, no framing.
 * The bundle has no inline script or style, so the policy costs it nothing.
 */
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const Email = Type.String({ minLength: 3, maxLength: 254, pattern: '^[^\\s@]+@[^\\s@]+$' });
const Password = Type.String({ minLength: 1, maxLength: 1024 });
const Role = Type.Union(CONSOLE_ROLES.map((r) => Type.Literal(r)));
const hide = { hide: true };
/** A credential as `@simplewebauthn/browser` sends it; the library checks its inside. */
const Credential = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 1400, pattern: '^[A-Za-z0-9_-]+$' }),
    rawId: Type.String({ maxLength: 1400 }),
    type: Type.Literal('public-key'),
    response: Type.Object({ clientDataJSON: Type.String({ maxLength: 8192 }) }, { additionalProperties: true }),
    clientExtensionResults: Type.Object({}, { additionalProperties: true }),
    authenticatorAttachment: Type.Optional(Type.String({ maxLength: 32 })),
  },
  { additionalProperties: false },
);

/** Pages whose management API may not be in this build: the console shows them when it is. */
const OPTIONAL_CAPABILITIES = {
  secrets: { method: 'GET', url: '/v1/secrets' },
  oauthClients: { method: 'GET', url: '/v1/oauth/clients' },
  anomalies: { method: 'GET', url: '/v1/anomalies' },
  hygiene: { method: 'GET', url: '/v1/hygiene' },
  webhooks: { method: 'GET', url: '/v1/webhooks' },
  keyring: { method: 'GET', url: '/console/api/keyring' },
} as const;

/**
 * The web console: its static files at `/console/`, and the session API it signs in with at
 * `/console/api/…`. Everything else it does goes through the management API (`/v1/…`) with the
 * session cookie and CSRF token in place of a root key (see http/auth.ts).
 */
export function consoleRoutes(services: Services, options: { distDir?: string; origin?: string | undefined } = {}): FastifyPluginAsync {
  const accounts = services.console;
  const { passkeys } = services;
  /**
   * Passkeys are bound to the configured console origin, else to the origin the browser used:
   * the request's protocol and Host, as the session cookie's Secure flag follows the protocol.
   */
  const relyingParty = (request: FastifyRequest): RelyingParty => {
    const origin = options.origin ?? `${request.protocol}://${request.host}`;
    return { origin, id: new URL(origin).hostname };
  };
  const actor = (request: FastifyRequest, signed: Signed): Actor => ({
    id: `user:${signed.user.id}`,
    workspaceId: signed.user.workspaceId,
    ip: request.ip,
  });
  const sessionAnswer = (signed: Signed, token: string, app: { hasRoute(o: { method: 'GET'; url: string }): boolean }) => ({
    user: userView(signed.user),
    stage: signed.session.stage,
    permissions: rolePermissions(signed.user.role),
    csrfToken: csrfTokenFor(token),
    idleTimeoutSeconds: Math.floor(accounts.policy.idleMs / 1000),
    expiresAt: new Date(signed.session.expiresAt).toISOString(),
    capabilities: Object.fromEntries(Object.entries(OPTIONAL_CAPABILITIES).map(([name, route]) => [name, app.hasRoute(route)])),
  });
  /** The one answer to every failed second factor, whether the password before it was right or not. */
  const notSignedIn = (what: 'code' | 'passkey') =>
    new TesseraError(
      'UNAUTHORIZED',
      what === 'code'
        ? 'The code is not right or was used already, or the email or password before it was not. Try the next code, or start again.'
        : 'That passkey was not accepted, or the email or password before it was not. Try again, use a code, or start again.',
    );
  /** Enrolment owed by a real half-open session only; a decoy answers as an enrolled account does. */
  const enrolledAlready = () => new TesseraError('CONFLICT', 'A second factor is enrolled already.');
  const cookieSeconds = () => accounts.policy.absoluteMs / 1000;

  return async (app0) => {
    const app = app0.withTypeProvider<TypeBoxTypeProvider>();
    const distDir = options.distDir ?? CONSOLE_DIST;

    // Ended sessions are dropped, and failed sign-ins past the audit budget summed, every minute.
    let maintenance: NodeJS.Timeout | undefined;
    app.addHook('onReady', async () => {
      maintenance = setInterval(
        () => void accounts.maintain().catch((err: unknown) => app.log.error({ err }, 'console maintenance failed')),
        60_000,
      );
      maintenance.unref();
    });
    app.addHook('onClose', async () => {
      clearInterval(maintenance);
      await accounts.maintain(true).catch((err: unknown) => app.log.error({ err }, 'console maintenance failed'));
    });

    app.addHook('onSend', async (request, reply) => {
      if (request.url.startsWith('/console')) {
        reply.header('content-security-policy', CSP);
        reply.header('x-frame-options', 'DENY');
        reply.header('referrer-policy', 'no-referrer');
      }
    });

    app.get('/console', { schema: hide }, async (_request, reply) => reply.redirect('/console/'));
    if (existsSync(distDir)) {
      await app.register(fastifyStatic, { root: distDir, prefix: '/console/', index: 'index.html', wildcard: true, decorateReply: false });
    } else {
      app.get('/console/', { schema: hide }, async (_request, reply) =>
        reply
          .type('text/plain; charset=utf-8')
          .send('The console is not built in this copy of Tessera: run `npm run build` and restart.\n'),
      );
    }

    app.post(
      '/console/api/login',
      { schema: { ...hide, body: Type.Object({ email: Email, password: Password }, { additionalProperties: false }) } },
      async (request, reply) => {
        const r = await accounts.login(request.body.email, request.body.password, request.ip, request.headers['user-agent']);
        if (!r.ok) throw new TesseraError('RATE_LIMITED', 'Too many failed sign-ins from this address; try again later.');
        setSessionCookie(request, reply, r.token, accounts.halfSessionMs / 1000);
        return { next: r.next, csrfToken: csrfTokenFor(r.token) };
      },
    );

    app.post(
      '/console/api/login/second-factor',
      {
        schema: {
          ...hide,
          body: Type.Object(
            { code: Type.Optional(Type.String({ maxLength: 16 })), recoveryCode: Type.Optional(Type.String({ maxLength: 64 })) },
            { additionalProperties: false },
          ),
        },
      },
      async (request, reply) => {
        const { token: half } = await requireHalfSession(services, request);
        const token = await accounts.secondFactor(half, request.body, request.ip);
        if (token === undefined) throw notSignedIn('code');
        return signedIn(request, reply, token);
      },
    );

    app.post('/console/api/login/passkey/options', { schema: hide }, async (request) => {
      const { token } = await requireHalfSession(services, request);
      const ready = await accounts.secondFactorSession(token, request.ip);
      // A decoy gets a challenge too, of the same shape: whether one is offered says nothing.
      return passkeys.loginOptions(ready ?? 'decoy', relyingParty(request));
    });

    app.post(
      '/console/api/login/passkey/verify',
      { schema: { ...hide, body: Type.Object({ response: Credential }, { additionalProperties: false }) } },
      async (request, reply) => {
        const { token: half } = await requireHalfSession(services, request);
        const ready = await accounts.secondFactorSession(half, request.ip);
        const token = await passkeys.login(
          ready ?? 'decoy',
          relyingParty(request),
          request.body.response as unknown as AuthenticationResponseJSON,
          request.ip,
        );
        if (token === undefined) throw notSignedIn('passkey');
        return signedIn(request, reply, token);
      },
    );

    app.post('/console/api/enrolment', { schema: hide }, async (request) => {
      const { half } = await requireHalfSession(services, request);
      if (half === 'decoy') throw enrolledAlready();
      const { secret, uri } = await accounts.beginEnrolment(half);
      // The console draws the QR code of `uri` itself: the secret goes nowhere else.
      return { secret, uri };
    });

    app.post(
      '/console/api/enrolment/confirm',
      { schema: { ...hide, body: Type.Object({ code: Type.String({ maxLength: 16 }) }, { additionalProperties: false }) } },
      async (request, reply) => {
        const { half, token } = await requireHalfSession(services, request);
        if (half === 'decoy') throw new TesseraError('CONFLICT', 'Start the enrolment first.');
        const r = await accounts.confirmEnrolment(token, request.body.code, request.ip);
        if (r === undefined)
          throw new TesseraError('UNAUTHORIZED', 'That code is not right; check the time on your device and try the next one.');
        const answer = await signedIn(request, reply, r.token);
        return { ...answer, recoveryCodes: r.recoveryCodes };
      },
    );

    app.get('/console/api/session', { schema: hide }, async (request) => {
      const signed = await requireSession(services, request);
      return sessionAnswer(signed, signed.token, app);
    });

    app.delete('/console/api/session', { schema: hide }, async (request, reply) => {
      const token = sessionToken(request);
      // A sign-out needs the CSRF token too, so another site cannot sign a user out.
      if (token !== undefined) {
        await requireSession(services, request).catch((err: unknown) => {
          if (err instanceof TesseraError && err.code === 'CSRF_FAILED') throw err;
        });
        await accounts.logout(token, request.ip);
      }
      clearSessionCookie(request, reply);
      return reply.code(204).send();
    });

    app.post(
      '/console/api/me/password',
      { schema: { ...hide, body: Type.Object({ current: Password, next: Password }, { additionalProperties: false }) } },
      async (request, reply) => {
        const signed = await requireSession(services, request);
        await accounts.changePassword(actor(request, signed), signed, request.body.current, request.body.next);
        return reply.code(204).send();
      },
    );

    app.get('/console/api/passkeys', { schema: hide }, async (request) => {
      const signed = await requireSession(services, request);
      return { items: (await passkeys.list(signed.user.id)).map(passkeyView) };
    });

    app.post('/console/api/passkeys/registration/options', { schema: hide }, async (request) => {
      const signed = await requireSession(services, request);
      return passkeys.registrationOptions(signed, relyingParty(request));
    });

    app.post(
      '/console/api/passkeys/registration/verify',
      {
        schema: {
          ...hide,
          body: Type.Object({ response: Credential, name: Text({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }),
        },
      },
      async (request, reply) => {
        const signed = await requireSession(services, request);
        const added = await passkeys.register(
          actor(request, signed),
          signed,
          relyingParty(request),
          request.body.response as unknown as RegistrationResponseJSON,
          request.body.name.trim() || 'Passkey',
        );
        if (added === undefined) throw new TesseraError('VALIDATION_FAILED', 'The passkey could not be verified; start again.');
        return reply.code(201).send(passkeyView(added));
      },
    );

    app.delete('/console/api/passkeys/:id', { schema: { ...hide, params: IdParams('id') } }, async (request, reply) => {
      const signed = await requireSession(services, request);
      await passkeys.remove(actor(request, signed), signed, request.params.id);
      return reply.code(204).send();
    });

    app.get('/console/api/users', { schema: hide }, async (request) => {
      const signed = await requireSession(services, request);
      requirePermission(signed.user, 'users:manage');
      return { items: (await accounts.listUsers(signed.user.workspaceId)).map(userView) };
    });

    app.post(
      '/console/api/users',
      {
        schema: {
          ...hide,
          body: Type.Object(
            { email: Email, password: Password, role: Role, name: Type.Optional(Text({ maxLength: 200 })) },
            { additionalProperties: false },
          ),
        },
      },
      async (request, reply) => {
        const signed = await requireSession(services, request);
        requirePermission(signed.user, 'users:manage');
        const user = await accounts.createUser(actor(request, signed), request.body);
        return reply.code(201).send(userView(user));
      },
    );

    app.patch(
      '/console/api/users/:id',
      {
        schema: {
          ...hide,
          params: IdParams('id'),
          body: Type.Object(
            { role: Type.Optional(Role), disabled: Type.Optional(Type.Boolean()), unlock: Type.Optional(Type.Literal(true)) },
            { additionalProperties: false, minProperties: 1 },
          ),
        },
      },
      async (request) => {
        const signed = await requireSession(services, request);
        requirePermission(signed.user, 'users:manage');
        return userView(await accounts.updateUser(actor(request, signed), request.params.id, request.body));
      },
    );

    app.get('/console/api/overview', { schema: hide }, async (request) => {
      const signed = await requireSession(services, request);
      const perms = rolePermissions(signed.user.role);
      const now = services.clock.now();
      const canRead = hasPermission(perms, 'keys:read');
      const activeKeys = canRead ? await services.store.console.countActiveKeys(signed.user.workspaceId, now) : null;
      const keyspaces = hasPermission(perms, 'keyspaces:read') ? (await services.keys.listKeyspaces(actor(request, signed))).length : null;
      let secretsDue: { name: string; rotation: string; rotateBy: string | null }[] | null = null;
      if (hasPermission(perms, 'secrets:read')) {
        const due = await services.vault.list({ actor: actor(request, signed), grants: perms }, { rotation: 'due' });
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
          ? { windowMinutes: services.verifyTimeline.windowMinutes, scope: 'node', series: services.verifyTimeline.series() }
          : null,
      };
    });

    app.get('/console/api/keys/:keyId/usage', { schema: { ...hide, params: IdParams('keyId') } }, async (request) => {
      const signed = await requireSession(services, request);
      requirePermission(signed.user, 'keys:read');
      // Reading the key checks that it exists in the user's workspace.
      await services.keys.getKey(actor(request, signed), request.params.keyId);
      return {
        windowMinutes: services.verifyTimeline.windowMinutes,
        scope: 'node',
        series: services.verifyTimeline.series(request.params.keyId),
        recent: services.verifyTimeline.recent(request.params.keyId),
      };
    });

    const { keyring } = services;
    if (keyring instanceof EnvelopeKeyring) {
      // Key custody is the instance owner's business: the same permission as root keys.
      app.get('/console/api/keyring', { schema: hide }, async (request) => {
        const signed = await requireSession(services, request);
        requirePermission(signed.user, 'root_keys:manage');
        return keyringStatus(keyring, signed.user.workspaceId);
      });
    }

    async function signedIn(request: FastifyRequest, reply: FastifyReply, token: string) {
      const found = await accounts.authenticate(token);
      if (!found.ok) throw new TesseraError('UNAUTHORIZED', 'Sign in to the console first.');
      setSessionCookie(request, reply, token, cookieSeconds());
      return sessionAnswer(found, token, app);
    }
  };
}
