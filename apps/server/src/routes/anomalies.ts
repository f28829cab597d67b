import type { AnomalyRecord } from '@tessera/core';
import type { TypedApp } from '../http/typed-app.js';
import { actorOf } from '../http/auth.js';
import { problems } from '../http/contract.js';
import { routeTable } from '../http/route-table.js';
import { IdParams } from '../http/schemas.js';
import type { Services } from '../wiring/services.js';
import { actorNames } from './audit-actors.js';
import { Anomaly, AnomalyList, AnomalyQuery, ResolveBody } from './anomaly-schemas.js';
import { anomalyView, parseTimeParam } from './monitoring-views.js';

const tags = ['anomalies'];
const params = IdParams('anomalyId');

/** Anomalies found by the detectors: list, read, acknowledge, resolve. */
export function anomalyRoutes(app: TypedApp, services: Services): void {
  const route = routeTable(app, tags);
  const { anomalies } = services.monitoring;
  /** The findings as the API shows them, each with its ids by name (keys, console users, root keys). */
  const shown = async (workspaceId: string | null, items: AnomalyRecord[]) => {
    const actors = workspaceId === null ? new Map<string, string>() : await actorNames(services, workspaceId);
    const keyIds = [...new Set(items.flatMap((a) => (a.keyId === null ? [] : [a.keyId])))];
    const keys = new Map<string, string>();
    for (const id of keyIds) {
      const k = await services.store.getKey(id);
      if (k !== undefined && k.workspaceId === workspaceId && k.name !== null) keys.set(id, k.name);
    }
    const nameOf = (id: string | null) => (id === null ? undefined : (keys.get(id) ?? actors.get(id) ?? actors.get(`user:${id}`)));
    return items.map((a) => {
      const names: Record<string, string> = {};
      for (const id of [a.keyId, a.subject, a.acknowledgedBy, a.resolvedBy]) {
        const name = nameOf(id);
        if (id !== null && name !== undefined) names[id] = name;
      }
      return { ...anomalyView(a), names };
    });
  };
  const one = async (workspaceId: string | null, a: AnomalyRecord) => (await shown(workspaceId, [a]))[0]!;
  route.get(
    '/v1/anomalies',
    {
      permission: 'anomalies:read',
      operationId: 'listAnomalies',
      summary: 'Anomalies found by the detectors, newest first',
      querystring: AnomalyQuery,
      response: { 200: AnomalyList },
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
      return { items: await shown(actorOf(request).workspaceId, items) };
    },
  );

  route.get(
    '/v1/anomalies/:anomalyId',
    {
      permission: 'anomalies:read',
      operationId: 'getAnomaly',
      summary: 'One anomaly',
      params,
      response: { 200: Anomaly, ...problems('NOT_FOUND') },
    },
    async (request) => one(actorOf(request).workspaceId, await anomalies.get(actorOf(request), request.params.anomalyId)),
  );

  route.post(
    '/v1/anomalies/:anomalyId/acknowledge',
    {
      permission: 'anomalies:manage',
      idempotent: true,
      operationId: 'acknowledgeAnomaly',
      summary: 'Acknowledge an anomaly: someone is looking at it',
      params,
      response: { 200: Anomaly, ...problems('NOT_FOUND', 'CONFLICT') },
    },
    async (request) => one(actorOf(request).workspaceId, await anomalies.acknowledge(actorOf(request), request.params.anomalyId)),
  );

  route.post(
    '/v1/anomalies/:anomalyId/resolve',
    {
      permission: 'anomalies:manage',
      idempotent: true,
      operationId: 'resolveAnomaly',
      summary: 'Resolve an anomaly; `benign: true` teaches the detector that raised it',
      params,
      body: ResolveBody,
      response: { 200: Anomaly, ...problems('NOT_FOUND', 'CONFLICT') },
    },
    async (request) =>
      one(actorOf(request).workspaceId, await anomalies.resolve(actorOf(request), request.params.anomalyId, request.body?.benign ?? false)),
  );
}
