import type { TypedApp } from '../http/typed-app.js';
import { actorOf } from '../http/auth.js';
import { problems } from '../http/contract.js';
import { IdParams } from '../http/schemas.js';
import type { Services } from '../wiring/services.js';
import { Anomaly, AnomalyList, AnomalyQuery, ResolveBody } from './anomaly-schemas.js';
import { anomalyView, parseTimeParam } from './monitoring-views.js';

const tags = ['anomalies'];
const params = IdParams('anomalyId');

/** Anomalies found by the detectors: list, read, acknowledge, resolve. */
export function anomalyRoutes(app: TypedApp, services: Services): void {
  const { anomalies } = services.monitoring;
  app.get(
    '/v1/anomalies',
    {
      config: { permission: 'anomalies:read' },
      schema: {
        operationId: 'listAnomalies',
        tags,
        summary: 'Anomalies found by the detectors, newest first',
        querystring: AnomalyQuery,
        response: { 200: AnomalyList },
      },
    },
    async (request) => {
      const q = request.query;
      const items = await anomalies.list(actorOf(request), {
        keyId: q.keyId,
        since: q.since === undefined ? undefined : parseTimeParam(q.since, 'since', 0),
        status: q.status,
        kind: q.kind,
        limit: q.limit ?? 100,
      });
      return { items: items.map(anomalyView) };
    },
  );

  app.get(
    '/v1/anomalies/:anomalyId',
    {
      config: { permission: 'anomalies:read' },
      schema: { operationId: 'getAnomaly', tags, summary: 'One anomaly', params, response: { 200: Anomaly, ...problems('NOT_FOUND') } },
    },
    async (request) => anomalyView(await anomalies.get(actorOf(request), request.params.anomalyId)),
  );

  app.post(
    '/v1/anomalies/:anomalyId/acknowledge',
    {
      config: { permission: 'anomalies:manage', idempotent: true },
      schema: {
        operationId: 'acknowledgeAnomaly',
        tags,
        summary: 'Acknowledge an anomaly: someone is looking at it',
        params,
        response: { 200: Anomaly, ...problems('NOT_FOUND', 'CONFLICT') },
      },
    },
    async (request) => anomalyView(await anomalies.acknowledge(actorOf(request), request.params.anomalyId)),
  );

  app.post(
    '/v1/anomalies/:anomalyId/resolve',
    {
      config: { permission: 'anomalies:manage', idempotent: true },
      schema: {
        operationId: 'resolveAnomaly',
        tags,
        summary: 'Resolve an anomaly; `benign: true` teaches the key that the network is its own',
        params,
        body: ResolveBody,
        response: { 200: Anomaly, ...problems('NOT_FOUND', 'CONFLICT') },
      },
    },
    async (request) => anomalyView(await anomalies.resolve(actorOf(request), request.params.anomalyId, request.body?.benign ?? false)),
  );
}
