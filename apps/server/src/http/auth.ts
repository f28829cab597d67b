import { type Permission } from '@tessera/api';
import {
  hasPermission,
  inWorkspace,
  TesseraError,
  type Actor,
  type AuthFailureThrottle,
  type RootKeyOutcome,
  type RootKeyRecord,
} from '@tessera/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../wiring/services.js';
import { authorizeSession, sessionToken, WORKSPACE_HEADER } from './console-session.js';

declare module 'fastify' {
  interface FastifyRequest {
    rootKey: RootKeyRecord | undefined;
  }
  interface FastifyContextConfig {
    /** The permission (or every one of the permissions) a root key needs for this route; absent means the route is public. */
    permission?: Permission | readonly Permission[];
    /**
     * Where the root key is: `authorization` (the default, as `Bearer <root key>`), or `gateway`, the
     * `Tessera-Gateway-Key` header a gateway sets, so the client's own `Authorization` passes through.
     */
    credential?: 'authorization' | 'gateway';
  }
}

/**
 * Authenticates the bearer root key and checks the route's permissions: every one is needed.
 * Returns at once (no promise) when the root key is cached and all is well, the common case;
 * a promise when it must wait for the store, the console session or the audit of a failure.
 */
export function authorize(
  services: Services,
  throttle: AuthFailureThrottle,
  request: FastifyRequest,
  reply: FastifyReply,
  permissions: readonly Permission[],
  credential: 'authorization' | 'gateway' = 'authorization',
): void | Promise<void> {
  if (credential === 'gateway') return authenticateGateway(services, throttle, request, reply, permissions);
  const header = request.headers.authorization;
  // The web console calls the same API with its session cookie (and a CSRF token) instead.
  if (header === undefined && sessionToken(request) !== undefined) return authorizeSession(services, request, permissions);
  // The scheme name is case-insensitive (RFC 9110 §11.1).
  if (header === undefined || header.length < 7 || header.slice(0, 7).toLowerCase() !== 'bearer ') {
    throw new TesseraError('UNAUTHORIZED', 'Send a root key as "Authorization: Bearer <root key>".');
  }
  // A source network past its failure limit is refused before its token is even looked at.
  const wait = throttle.retryAfter(request.ip);
  if (wait !== undefined) return refuseThrottled(services, throttle, request, reply, wait);
  const outcome = services.rootKeys.authenticate(header.slice(7).trim(), request.ip);
  if (outcome instanceof Promise) return outcome.then((o) => admit(services, throttle, request, permissions, o));
  return admit(services, throttle, request, permissions, outcome);
}

/** A gateway's root key, in its own header: never the client's `Authorization`, never console sessions. */
function authenticateGateway(
  services: Services,
  throttle: AuthFailureThrottle,
  request: FastifyRequest,
  reply: FastifyReply,
  permissions: readonly Permission[],
): void | Promise<void> {
  const header = request.headers[GATEWAY_KEY_HEADER];
  if (typeof header !== 'string' || header.trim() === '')
    throw new TesseraError('UNAUTHORIZED', 'The gateway must send its root key as "Tessera-Gateway-Key: <root key>".');
  const wait = throttle.retryAfter(request.ip);
  if (wait !== undefined) return refuseThrottled(services, throttle, request, reply, wait);
  const outcome = services.rootKeys.authenticate(header.trim(), request.ip);
  if (outcome instanceof Promise) return outcome.then((o) => admit(services, throttle, request, permissions, o));
  return admit(services, throttle, request, permissions, outcome);
}

export const GATEWAY_KEY_HEADER = 'tessera-gateway-key';

function admit(
  services: Services,
  throttle: AuthFailureThrottle,
  request: FastifyRequest,
  permissions: readonly Permission[],
  outcome: RootKeyOutcome,
): void | Promise<void> {
  // One answer whatever the reason (unknown, revoked, expired, not from this address): no oracle.
  if (!outcome.ok) {
    return noteFailure(services, throttle, request.ip, outcome).then(() => {
      throw new TesseraError('UNAUTHORIZED', 'The root key is not valid.');
    });
  }
  const rootKey = outcome.record;
  const missing = permissions.find((p) => !hasPermission(rootKey.permissions, p));
  if (missing !== undefined) throw new TesseraError('FORBIDDEN', `This root key lacks the permission "${missing}".`);
  request.rootKey = actingIn(request, rootKey);
}

/**
 * The root key as it acts for this request: in the workspace the `Tessera-Workspace` header names
 * (one it reaches), or in its own without the header. Every route then works in that workspace.
 */
function actingIn(request: FastifyRequest, rootKey: RootKeyRecord): RootKeyRecord {
  const named = request.headers[WORKSPACE_HEADER];
  if (named === undefined) return rootKey;
  const acting = typeof named === 'string' ? inWorkspace(rootKey, named.trim()) : undefined;
  if (acting === undefined) throw new TesseraError('FORBIDDEN', 'This root key does not reach the workspace named in Tessera-Workspace.');
  return acting;
}

async function refuseThrottled(
  services: Services,
  throttle: AuthFailureThrottle,
  request: FastifyRequest,
  reply: FastifyReply,
  wait: number,
): Promise<void> {
  await noteFailure(services, throttle, request.ip, { reason: 'throttled' });
  reply.header('retry-after', String(wait));
  throw new TesseraError('RATE_LIMITED', 'Too many failed authentications from this network; retry after the time in Retry-After.');
}

/** Counts a refused attempt; a sample of them is audited. */
async function noteFailure(
  services: Services,
  throttle: AuthFailureThrottle,
  ip: string,
  failure: Parameters<Services['rootKeys']['auditFailure']>[1],
): Promise<void> {
  const { network, failures, audit } = throttle.failed(ip);
  if (audit) await services.rootKeys.auditFailure(ip, failure, { network, failures, windowSeconds: throttle.windowSeconds });
}

export function actorOf(request: FastifyRequest): Actor {
  if (request.consoleUser !== undefined)
    return { id: `user:${request.consoleUser.id}`, workspaceId: request.consoleUser.workspaceId, ip: request.ip };
  const rk = request.rootKey;
  if (rk === undefined) throw new Error('actorOf called on an unauthenticated route');
  return { id: `root_key:${rk.id}`, workspaceId: rk.workspaceId, ip: request.ip };
}
