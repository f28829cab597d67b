import { consoleReachOf, relyingPartyOf, TesseraError, type Actor, type HalfSession, type RelyingParty, type Signed } from '@tessera/core';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import { csrfTokenFor, rolePermissions, setSessionCookie } from '../../http/console-session.js';
import { userView } from '../../http/console-views.js';
import type { Services } from '../../wiring/services.js';

/** What the console API's routes share: the services, and the origin passkeys are bound to when one is configured. */
export interface ConsoleContext {
  services: Services;
  origin: string | undefined;
}

/** The console plugin's instance, with TypeBox types for the routes' schemas: each route file registers its routes on it. */
export type ConsoleApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

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
 * Passkeys are bound to the configured console origin, else to the origin the browser used:
 * the request's protocol and Host, as the session cookie's Secure flag follows the protocol.
 */
export function relyingParty(ctx: ConsoleContext, request: FastifyRequest): RelyingParty {
  return relyingPartyOf(ctx.origin ?? `${request.protocol}://${request.host}`);
}

/** The signed-in user, as the audit log names them. */
export const userActor = (request: FastifyRequest, signed: Signed): Actor => ({
  id: `user:${signed.user.id}`,
  workspaceId: signed.user.workspaceId,
  ip: request.ip,
});

/** The session a `consoleSession: 'full'` route's hook checked. */
export function fullSession(request: FastifyRequest): Signed & { token: string } {
  const s = request.consoleSession;
  if (s?.kind !== 'full') throw new Error(`${request.routeOptions.url} declares no full console session`);
  return { ...s.signed, token: s.token };
}

/** The half-open session (or decoy) a `consoleSession: 'half'` route's hook checked. */
export function halfSession(request: FastifyRequest): { half: HalfSession; token: string } {
  const s = request.consoleSession;
  if (s?.kind !== 'half') throw new Error(`${request.routeOptions.url} declares no half-open console session`);
  return { half: s.half, token: s.token };
}

/** The answer that describes a signed-in session (`SessionAnswer`): a full one, the only kind that is described. */
export function sessionAnswer(ctx: ConsoleContext, request: FastifyRequest, signed: Signed, token: string) {
  return {
    user: userView(signed.user),
    stage: 'full' as const,
    permissions: rolePermissions(signed.user.role),
    csrfToken: csrfTokenFor(token),
    idleTimeoutSeconds: Math.floor(ctx.services.console.policy.idleMs / 1000),
    expiresAt: new Date(signed.session.expiresAt).toISOString(),
    capabilities: Object.fromEntries(
      Object.entries(OPTIONAL_CAPABILITIES).map(([name, route]) => [name, request.server.hasRoute(route)]),
    ) as Record<keyof typeof OPTIONAL_CAPABILITIES, boolean>,
    workspaceId: signed.user.workspaceId,
    workspaceIds: consoleReachOf(signed.user),
  };
}

/** A second factor was accepted: the full session's cookie, and the answer that describes it. */
export async function signedIn(ctx: ConsoleContext, request: FastifyRequest, reply: FastifyReply, token: string) {
  const accounts = ctx.services.console;
  const found = await accounts.sessions.authenticate(token);
  if (!found.ok) throw new TesseraError('UNAUTHORIZED', 'Sign in to the console first.');
  setSessionCookie(request, reply, token, accounts.policy.absoluteMs / 1000);
  return sessionAnswer(ctx, request, found, token);
}
