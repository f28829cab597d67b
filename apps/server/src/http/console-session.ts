import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Permission } from '@tessera/api';
import {
  consoleUserIn,
  hasPermission,
  ROLE_PERMISSIONS,
  TesseraError,
  type ConsoleUserRecord,
  type HalfSession,
  type RootKeyRecord,
  type Signed,
} from '@tessera/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../wiring/services.js';
import { SAFE_METHODS } from './contract.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The configured console origin is https: cookies are `__Host-` and Secure whatever the request's protocol. */
    consoleOverTls: boolean;
  }
  interface FastifyRequest {
    /** The console user behind the session cookie, when a session (not a root key) authorised the call. */
    consoleUser: ConsoleUserRecord | undefined;
    /** The session a console API route asked for with `config.consoleSession`, checked before its handler runs. */
    consoleSession: ConsoleSession | undefined;
  }
  interface FastifyContextConfig {
    /**
     * The console session a `/console/api/…` route needs: `full` (signed in), or `half` (the
     * password step done, a second factor owed — a real session or a decoy).
     */
    consoleSession?: ConsoleSessionKind;
    /** The permission the signed-in user's role needs for a `consoleSession: 'full'` route, checked with the session. */
    consolePermission?: Permission;
  }
}

export type ConsoleSessionKind = 'full' | 'half';

/** A console session as its route sees it, with the token of its cookie. */
export type ConsoleSession = { kind: 'full'; signed: Signed; token: string } | { kind: 'half'; half: HalfSession; token: string };

/** Over TLS the cookie takes the `__Host-` prefix: Secure, whole-site, and no Domain can be set on it. */
const COOKIE = 'tessera_session';
const HOST_COOKIE = '__Host-tessera_session';
export const CSRF_HEADER = 'x-csrf-token';
/** The header a request names its workspace with (the same for root keys and console sessions). */
export const WORKSPACE_HEADER = 'tessera-workspace';

/** The CSRF token of a session: derived from its token, so nothing more is stored. */
export const csrfTokenFor = (token: string): string => createHmac('sha256', token).update('tessera console csrf').digest('base64url');

/** Whether the request carries the CSRF token of the session `token` in its `X-CSRF-Token` header (compared in constant time). */
function csrfMatches(token: string, request: FastifyRequest): boolean {
  const presented = request.headers[CSRF_HEADER];
  if (typeof presented !== 'string') return false;
  const expected = Buffer.from(csrfTokenFor(token));
  const given = Buffer.from(presented);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

const csrfFailed = () => new TesseraError('CSRF_FAILED', 'This change needs the X-CSRF-Token header of your session.');

/** Whether the console is reached over TLS: the request came over it, or the configured console origin is https. */
const secure = (request: FastifyRequest) => request.protocol === 'https' || request.server.consoleOverTls === true;

/**
 * The session token from the Cookie header, if any. Over TLS only the `__Host-` cookie counts: a
 * plain-named cookie may have been planted by a plain-HTTP page or a sibling subdomain.
 */
export function sessionToken(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  if (header === undefined) return undefined;
  const wanted = secure(request) ? HOST_COOKIE : COOKIE;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const value = part.slice(eq + 1).trim();
    if (part.slice(0, eq).trim() === wanted && value !== '') return value;
  }
  return undefined;
}

/** HttpOnly (scripts never see it), SameSite=Strict (other sites never send it), Secure over TLS. */
export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, token: string, maxAgeSeconds: number): void {
  const name = secure(request) ? HOST_COOKIE : COOKIE;
  reply.header(
    'set-cookie',
    `${name}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.floor(maxAgeSeconds)}${secure(request) ? '; Secure' : ''}`,
  );
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  const name = secure(request) ? HOST_COOKIE : COOKIE;
  reply.header('set-cookie', `${name}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure(request) ? '; Secure' : ''}`);
}

/**
 * The half-open session (password step done, second factor owed) behind the request's cookie: a
 * real one or a decoy. The CSRF token is checked first, from the token alone, so a real session
 * and a decoy fail it alike; any other failure is one answer, whatever it was.
 */
export async function requireHalfSession(services: Services, request: FastifyRequest): Promise<{ half: HalfSession; token: string }> {
  const token = sessionToken(request);
  if (token !== undefined && !csrfMatches(token, request)) throw csrfFailed();
  const half = token === undefined ? undefined : await services.console.signIn.halfSession(token);
  if (half === undefined) throw new TesseraError('UNAUTHORIZED', 'Sign in again: the sign-in is over or was never started.');
  return { half, token: token! };
}

/**
 * The signed-in user behind the request's session cookie. Refuses a missing, ended or half-open
 * session (401) and, for any state-changing method, a request without the session's CSRF token
 * in the `X-CSRF-Token` header (403 `CSRF_FAILED`).
 */
export async function requireSession(services: Services, request: FastifyRequest): Promise<Signed & { token: string }> {
  const token = sessionToken(request);
  if (token === undefined) throw new TesseraError('UNAUTHORIZED', 'Sign in to the console first.');
  const found = await services.console.sessions.authenticate(token);
  if (!found.ok)
    throw new TesseraError(
      'UNAUTHORIZED',
      found.reason === 'expired' ? 'Your session has ended; sign in again.' : 'Sign in to the console first.',
    );
  if (!SAFE_METHODS.has(request.method) && !csrfMatches(token, request)) throw csrfFailed();
  const user = actingUser(request, found.user);
  request.consoleUser = user;
  return { ...found, user, token };
}

/**
 * The user as it acts for this request: in the workspace the `Tessera-Workspace` header names (one
 * it reaches), or in its home without the header. Refused as a root key outside its reach is.
 */
function actingUser(request: FastifyRequest, user: ConsoleUserRecord): ConsoleUserRecord {
  const named = request.headers[WORKSPACE_HEADER];
  if (named === undefined) return user;
  const acting = typeof named === 'string' ? consoleUserIn(user, named.trim()) : undefined;
  if (acting === undefined)
    throw new TesseraError('FORBIDDEN', 'This console user does not reach the workspace named in Tessera-Workspace.');
  return acting;
}

export function rolePermissions(role: keyof typeof ROLE_PERMISSIONS): string[] {
  return [...ROLE_PERMISSIONS[role]];
}

export function requirePermission(user: ConsoleUserRecord, permission: Permission): void {
  if (!hasPermission(rolePermissions(user.role), permission)) {
    throw new TesseraError('FORBIDDEN', `Your role (${user.role}) lacks the permission "${permission}".`);
  }
}

/**
 * The console's way into the management API: a session cookie instead of a root key. The user's
 * role stands in for a root key's permissions, and the audit log names the user.
 */
export async function authorizeSession(services: Services, request: FastifyRequest, permissions: readonly Permission[]): Promise<void> {
  const { user } = await requireSession(services, request);
  for (const permission of permissions) requirePermission(user, permission);
  const principal: RootKeyRecord = {
    id: user.id,
    workspaceId: user.workspaceId,
    name: user.email,
    hash: '',
    pepperVersion: 0,
    start: '',
    permissions: rolePermissions(user.role),
    createdAt: user.createdAt,
    revokedAt: null,
    lastUsedAt: null,
    expiresAt: null,
    ipAllowlist: [],
    keyspaceIds: null,
    rolledToId: null,
    otherWorkspaceIds: user.otherWorkspaceIds,
  };
  request.rootKey = principal;
}
