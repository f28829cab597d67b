import type { Granularity } from '@tessera/core';
import type { TypedApp } from '../http/typed-app.js';
import { actorOf } from '../http/auth.js';
import { problems } from '../http/contract.js';
import { routeTable } from '../http/route-table.js';
import { iso } from '../http/views.js';
import type { Services } from '../wiring/services.js';
import { EventsQuery, TopQuery, TopVerifications, UsageEventList, VerificationSeries, VerificationsQuery } from './analytics-schemas.js';
import { parseTimeParam, usageEventView } from './monitoring-views.js';

const tags = ['analytics'];
const config = { permission: 'analytics:read' as const };

/** Usage analytics: verification series from the roll-ups, top-N views, recent raw events. */
export function analyticsRoutes(app: TypedApp, services: Services): void {
  const route = routeTable(app, tags);
  const { analytics } = services.monitoring;
  const range = (q: { from?: string | undefined; to?: string | undefined }) => {
    const to = parseTimeParam(q.to, 'to', services.clock.now());
    return { from: parseTimeParam(q.from, 'from', to - 86_400_000), to };
  };
  route.get(
    '/v1/analytics/verifications',
    {
      ...config,
      operationId: 'getVerificationSeries',
      summary: 'Verifications over time, per key, owner, keyspace or the whole workspace',
      querystring: VerificationsQuery,
      response: { 200: VerificationSeries, ...problems('NOT_FOUND') },
    },
    async (request) => {
      const { from, to } = range(request.query);
      const granularity: Granularity =
        request.query.granularity ?? (to - from > 7 * 86_400_000 ? 'day' : to - from > 6 * 3_600_000 ? 'hour' : 'minute');
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

  route.get(
    '/v1/analytics/top',
    {
      ...config,
      operationId: 'getTopVerifications',
      summary: 'The keys, owners, keyspaces, addresses or networks with the most verifications',
      querystring: TopQuery,
      response: { 200: TopVerifications },
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

  route.get(
    '/v1/analytics/events',
    {
      ...config,
      operationId: 'listUsageEvents',
      summary: 'Recent usage events (raw, kept for the retention period), newest first',
      querystring: EventsQuery,
      response: { 200: UsageEventList },
    },
    async (request) => {
      const { from, to } = range(request.query);
      const items = await analytics.events(actorOf(request), { keyId: request.query.keyId, from, to, limit: request.query.limit ?? 100 });
      return { items: items.map(usageEventView) };
    },
  );
}
