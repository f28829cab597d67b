import type { ErrorCode } from '@tessera/api';
import type { Actor } from '@tessera/core';
import type { Static, TSchema } from 'typebox';
import { actorOf } from '../http/auth.js';
import { problems } from '../http/contract.js';
import type { RouteTable } from '../http/route-table.js';
import { IdParams } from '../http/schemas.js';

/** A service that keeps one kind of settings per keyspace: its policy, its gateway routes, its portal. */
export interface KeyspaceSettingsService<S, Input> {
  get(actor: Actor, keyspaceId: string): Promise<S>;
  put(actor: Actor, keyspaceId: string, input: Input): Promise<S>;
}

interface Described {
  operationId: string;
  summary: string;
}

/** The keyspace is the one in the path, which a root key limited to keyspaces must reach. */
const ofKeyspace = { keyspace: { keyspaceParam: 'keyspaceId' }, params: IdParams('keyspaceId') };

/**
 * A keyspace's settings of one kind, at `path` (`/v1/keyspaces/:keyspaceId/…`): read with
 * `keyspaces:read`, written (PUT or PATCH, with an Idempotency-Key) with `keyspaces:manage`. Both
 * answer the settings as `view` shows them, and NOT_FOUND for a keyspace the caller does not reach;
 * a write may name the other problems it answers.
 */
export function keyspaceSettingsRoutes<S, A extends TSchema, B extends TSchema>(
  route: RouteTable,
  path: string,
  settings: {
    service: KeyspaceSettingsService<S, Static<B>>;
    answer: A;
    view: (settings: S, keyspaceId: string) => Static<A>;
    read: Described;
    write: Described & { method: 'put' | 'patch'; body: B; problems?: ErrorCode[] };
  },
): void {
  const { service, view, read } = settings;
  // The view's answer and the service's input are checked where the settings are named: the types
  // TypeBox gives the handlers cannot be followed through A and B here.
  const answer: TSchema = settings.answer;
  const { method, body, problems: more = [], ...write } = settings.write;
  const input: TSchema = body;
  route.get(
    path,
    { permission: 'keyspaces:read', ...ofKeyspace, ...read, response: { 200: answer, ...problems('NOT_FOUND') } },
    async (request) => view(await service.get(actorOf(request), request.params.keyspaceId), request.params.keyspaceId),
  );
  route[method](
    path,
    {
      permission: 'keyspaces:manage',
      idempotent: true,
      ...ofKeyspace,
      ...write,
      body: input,
      response: { 200: answer, ...problems('NOT_FOUND', ...more) },
    },
    async (request) =>
      view(await service.put(actorOf(request), request.params.keyspaceId, request.body as Static<B>), request.params.keyspaceId),
  );
}
