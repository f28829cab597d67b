import { GRANULARITIES, VERIFY_CODES, type Granularity } from '@tessera/core';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { actorOf } from '../http/auth.js';
import { Id, Text, Type } from '../http/schemas.js';
import { iso } from '../http/views.js';
import type { Services } from '../services.js';
import { parseTimeParam, usageEventView } from './monitoring-views.js';

const tags = ['analytics'];
const Outcome = Type.Union(VERIFY_CODES.map((c) => Type.Literal(c)));
const Range = {
  from: Type.Optional(Type.String({ maxLength: 40, description: 'RFC 3339; default: 24 hours before `to`' })),
  to: Type.Optional(Type.String({ maxLength: 40, description: 'RFC 3339; default: now' })),
};

/** Usage analytics: verification series from the roll-ups, top-N views, recent raw events. */
export function analyticsRoutes(services: Services): FastifyPluginAsync {
  const { analytics } = services.monitoring;
  const range = (q: { from?: string | undefined; to?: string | undefined }) => {
    const to = parseTimeParam(q.to, 'to', services.clock.now());
    return { from: parseTimeParam(q.from, 'from', to - 86_400_000), to };
  };
  return async (app0) => {
    const app = app0.withTypeProvider<TypeBoxTypeProvider>();

    app.get(
      '/v1/analytics/verifications',
      {
        config: { permission: 'analytics:read' },
        schema: {
          tags,
          summary: 'Verifications over time, per key, owner, keyspace or the whole workspace',
          querystring: Type.Object(
            {
              keyId: Type.Optional(Id),
              ownerId: Type.Optional(Text({ minLength: 1, maxLength: 256 })),
              keyspaceId: Type.Optional(Id),
              granularity: Type.Optional(Type.Union(Object.keys(GRANULARITIES).map((g) => Type.Literal(g)))),
              ...Range,
            },
            { additionalProperties: false },
          ),
        },
      },
      async (request) => {
        const { from, to } = range(request.query);
        const granularity = (request.query.granularity ??
          (to - from > 7 * 86_400_000 ? 'day' : to - from > 6 * 3_600_000 ? 'hour' : 'minute')) as Granularity;
        const r = await analytics.verifications(actorOf(request), {
          keyId: request.query.keyId,
          ownerId: request.query.ownerId,
          keyspaceId: request.query.keyspaceId,
          from,
          to,
          granularity,
        });
        return {
          granularity,
          from: iso(from),
          to: iso(to),
          dimension: r.dimension,
          subject: r.subject,
          totals: r.totals,
          series: r.series.map((p) => ({ ...p, time: iso(p.time) })),
        };
      },
    );

    app.get(
      '/v1/analytics/top',
      {
        config: { permission: 'analytics:read' },
        schema: {
          tags,
          summary: 'The keys, owners, keyspaces, addresses or networks with the most verifications',
          querystring: Type.Object(
            {
              by: Type.Union([
                Type.Literal('key'),
                Type.Literal('owner'),
                Type.Literal('keyspace'),
                Type.Literal('ip'),
                Type.Literal('network'),
              ]),
              outcome: Type.Optional(Outcome),
              limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
              ...Range,
            },
            { additionalProperties: false },
          ),
        },
      },
      async (request) => {
        const { from, to } = range(request.query);
        const items = await analytics.top(actorOf(request), {
          by: request.query.by,
          from,
          to,
          outcome: request.query.outcome,
          limit: request.query.limit ?? 10,
        });
        return { by: request.query.by, from: iso(from), to: iso(to), items };
      },
    );

    app.get(
      '/v1/analytics/events',
      {
        config: { permission: 'analytics:read' },
        schema: {
          tags,
          summary: 'Recent usage events (raw, kept for the retention period), newest first',
          querystring: Type.Object(
            { keyId: Type.Optional(Id), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })), ...Range },
            { additionalProperties: false },
          ),
        },
      },
      async (request) => {
        const { from, to } = range(request.query);
        const items = await analytics.events(actorOf(request), { keyId: request.query.keyId, from, to, limit: request.query.limit ?? 100 });
        return { items: items.map(usageEventView) };
      },
    );
  };
}
