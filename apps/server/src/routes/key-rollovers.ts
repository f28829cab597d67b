import type { RolloverView } from '@tessera/core';
import type { FastifyPluginAsync } from 'fastify';
import { actorOf } from '../http/auth.js';
import { problems } from '../http/contract.js';
import { operations } from '../http/route-table.js';
import { Answer } from '../http/schemas.js';
import type { Services } from '../wiring/services.js';
import { ListRolloversQuery, Rollover, ROLLOVER_SCHEMAS, RolloverList } from './key-rollover-schemas.js';
import { ofKey } from './keys.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A rollover as the API shows it. */
function rolloverView({ record: r, state }: RolloverView) {
  return {
    predecessorKeyId: r.predecessorId,
    successorKeyId: r.successorId,
    keyspaceId: r.keyspaceId,
    state: state.phase,
    createdAt: iso(r.createdAt)!,
    quietPeriodSeconds: r.quietPeriodSeconds,
    deadline: iso(r.deadline)!,
    successorFirstUsedAt: iso(state.successorFirstUsedAt),
    predecessorLastUsedAt: iso(state.predecessorLastUsedAt),
    retiresAt: iso(state.retiresAt),
    retiredAt: iso(r.retiredAt),
    retiredReason: r.retiredReason,
  };
}

/** Usage-driven rollovers: one key's, and a workspace's (they are made by `POST /v1/keys/{keyId}/roll`). */
export function keyRolloverRoutes(services: Services): FastifyPluginAsync {
  return operations({ tags: ['keys'], schemas: ROLLOVER_SCHEMAS }, (route) => {
    route.get(
      '/v1/keys/:keyId/rollover',
      {
        permission: 'keys:read',
        ...ofKey,
        operationId: 'getKeyRollover',
        summary: 'The usage-driven rollover from a key: its successor, and when the key retires',
        response: { 200: Answer('The rollover, with its state now.', Rollover), ...problems('NOT_FOUND') },
      },
      async (request) => rolloverView(await services.rollovers.get(actorOf(request), request.params.keyId)),
    );

    route.get(
      '/v1/rollovers',
      {
        permission: 'keys:read',
        keyspace: { query: 'keyspaceId' },
        operationId: 'listKeyRollovers',
        summary: "Usage-driven rollovers of a keyspace, or of the workspace's: which clients switched, which did not",
        querystring: ListRolloversQuery,
        response: { 200: Answer('Rollovers, newest first.', RolloverList) },
      },
      async (request) => {
        const { keyspaceId, state, limit = 100 } = request.query;
        const open = state === undefined ? undefined : state === 'open';
        const items = await services.rollovers.list(actorOf(request), { keyspaceId, open, limit });
        return { items: items.map(rolloverView) };
      },
    );
  });
}
