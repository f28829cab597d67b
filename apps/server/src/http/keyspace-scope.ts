import { keyspaceAllowed, TesseraError } from '@tessera/core';
import type { FastifyRequest } from 'fastify';
import type { Services } from '../wiring/services.js';

/**
 * Where a route's keyspace is, for root keys limited to keyspaces: a body or query field, a
 * keyspace id in the path, a key id in the path (the key's keyspace), or `handler` when the
 * handler narrows what it shows to the caller's keyspaces itself. A route that names none acts on
 * the whole workspace, and a limited root key is refused there: new routes fail closed.
 */
export type KeyspaceTarget = { body: string } | { query: string } | { keyspaceParam: string } | { keyParam: string } | 'handler';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Where the route's keyspace is (see KeyspaceTarget); absent: the route acts on the whole workspace. */
    keyspace?: KeyspaceTarget;
  }
}

const field = (source: unknown, name: string): unknown =>
  typeof source === 'object' && source !== null ? (source as Record<string, unknown>)[name] : undefined;

/** Runs after validation, beside the permission check: a limited root key reaches its keyspaces only. */
export async function checkKeyspaceScope(
  services: Services,
  request: FastifyRequest,
  target: Exclude<KeyspaceTarget, 'handler'> | undefined,
): Promise<void> {
  const rk = request.rootKey;
  if (rk === undefined || rk.keyspaceIds === null) return;
  if (target === undefined)
    throw new TesseraError('FORBIDDEN', 'This root key is limited to keyspaces; this route acts on the whole workspace.');
  let keyspaceId: unknown;
  if ('keyParam' in target) {
    const key = await services.store.getKey(String(field(request.params, target.keyParam)));
    // An unknown key, or another workspace's, is the handler's 404.
    if (key === undefined || key.workspaceId !== rk.workspaceId) return;
    if (!keyspaceAllowed(rk, key.keyspaceId)) throw new TesseraError('NOT_FOUND', 'No such key.');
    return;
  }
  if ('body' in target) keyspaceId = field(request.body, target.body);
  else if ('query' in target) keyspaceId = field(request.query, target.query);
  else keyspaceId = field(request.params, target.keyspaceParam);
  if (typeof keyspaceId !== 'string' || !keyspaceAllowed(rk, keyspaceId)) throw new TesseraError('NOT_FOUND', 'No such keyspace.');
}
