import { ANOMALY_KINDS, ANOMALY_STATUSES, SEVERITIES } from '@tessera/core';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { actorOf } from '../http/auth.js';
import { CreatedKey, Id, IdParams, Nullable, ScopeName, Text, Type } from '../http/schemas.js';
import type { Services } from '../services.js';
import { anomalyView, parseTimeParam, policyView, suspensionView } from './monitoring-views.js';

const tags = ['anomalies'];
const Severity = Type.Union(SEVERITIES.map((s) => Type.Literal(s)));

/** Anomalies (list, acknowledge, resolve), suspensions and their undo, keyspace policies, honeytokens, leak reports. */
export function anomalyRoutes(services: Services): FastifyPluginAsync {
  const { anomalies } = services.monitoring;
  return async (app0) => {
    const app = app0.withTypeProvider<TypeBoxTypeProvider>();

    app.get(
      '/v1/anomalies',
      {
        config: { permission: 'anomalies:read' },
        schema: {
          tags,
          summary: 'Anomalies found by the detectors, newest first',
          querystring: Type.Object(
            {
              keyId: Type.Optional(Id),
              since: Type.Optional(Type.String({ maxLength: 40, description: 'RFC 3339' })),
              status: Type.Optional(Type.Union(ANOMALY_STATUSES.map((s) => Type.Literal(s)))),
              kind: Type.Optional(Type.Union(ANOMALY_KINDS.map((k) => Type.Literal(k)))),
              limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
            },
            { additionalProperties: false },
          ),
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
      { config: { permission: 'anomalies:read' }, schema: { tags, summary: 'One anomaly', params: IdParams('anomalyId') } },
      async (request) => anomalyView(await anomalies.get(actorOf(request), request.params.anomalyId)),
    );

    app.post(
      '/v1/anomalies/:anomalyId/acknowledge',
      {
        config: { permission: 'anomalies:manage', idempotent: true },
        schema: { tags, summary: 'Acknowledge an anomaly: someone is looking at it', params: IdParams('anomalyId') },
      },
      async (request) => anomalyView(await anomalies.acknowledge(actorOf(request), request.params.anomalyId)),
    );

    app.post(
      '/v1/anomalies/:anomalyId/resolve',
      {
        config: { permission: 'anomalies:manage', idempotent: true },
        schema: {
          tags,
          summary: 'Resolve an anomaly; `benign: true` teaches the key that the network is its own',
          params: IdParams('anomalyId'),
          body: Type.Optional(Type.Object({ benign: Type.Optional(Type.Boolean()) }, { additionalProperties: false })),
        },
      },
      async (request) => anomalyView(await anomalies.resolve(actorOf(request), request.params.anomalyId, request.body?.benign ?? false)),
    );

    app.get(
      '/v1/suspensions',
      {
        config: { permission: 'anomalies:read' },
        schema: {
          tags,
          summary: 'Keys suspended by a policy or a leak report',
          querystring: Type.Object({ keyId: Type.Optional(Id), active: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
        },
      },
      async (request) => ({ items: (await anomalies.listSuspensions(actorOf(request), request.query)).map(suspensionView) }),
    );

    app.post(
      '/v1/suspensions/:suspensionId/undo',
      {
        config: { permission: 'anomalies:manage', idempotent: true },
        schema: { tags, summary: 'Undo a suspension: the key is enabled again as it was', params: IdParams('suspensionId') },
      },
      async (request) => suspensionView(await anomalies.undoSuspension(actorOf(request), request.params.suspensionId)),
    );

    app.get(
      '/v1/keyspaces/:keyspaceId/policy',
      {
        config: { permission: 'keyspaces:read', keyspace: { keyspaceParam: 'keyspaceId' } },
        schema: { tags, summary: "A keyspace's monitoring policy (defaults until set)", params: IdParams('keyspaceId') },
      },
      async (request) => policyView(await anomalies.getPolicy(actorOf(request), request.params.keyspaceId)),
    );

    app.put(
      '/v1/keyspaces/:keyspaceId/policy',
      {
        config: { permission: 'keyspaces:manage', idempotent: true, keyspace: { keyspaceParam: 'keyspaceId' } },
        schema: {
          tags,
          summary: "Set a keyspace's policy: alert only or suspend on anomalies, automatic expiry of unused keys, notices",
          params: IdParams('keyspaceId'),
          body: Type.Object(
            {
              anomalyResponse: Type.Optional(Type.Union([Type.Literal('alert'), Type.Literal('suspend')])),
              suspendMinSeverity: Type.Optional(Severity),
              autoExpireUnusedDays: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 3660 }))),
              autoExpireNoticeDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 365 })),
              expiringNoticeDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 365 })),
              creditsLowThreshold: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 1e15 }))),
            },
            { additionalProperties: false, minProperties: 1 },
          ),
        },
      },
      async (request) => policyView(await anomalies.putPolicy(actorOf(request), request.params.keyspaceId, request.body)),
    );

    app.post(
      '/v1/honeytokens',
      {
        config: { permission: 'keys:create', idempotent: true, keyspace: { body: 'keyspaceId' } },
        schema: {
          tags,
          summary: 'Create a honeytoken: a decoy key to plant where a thief would look; any use of it is a critical anomaly',
          body: Type.Object(
            {
              keyspaceId: Id,
              name: Type.Optional(Nullable(Text({ minLength: 1, maxLength: 256 }))),
              ownerId: Type.Optional(Nullable(Text({ minLength: 1, maxLength: 256 }))),
              scopes: Type.Optional(Type.Array(ScopeName, { maxItems: 256 })),
            },
            { additionalProperties: false },
          ),
          response: { 201: CreatedKey },
        },
      },
      async (request, reply) => {
        const { record, key } = await anomalies.createHoneytoken(actorOf(request), request.body);
        return reply.code(201).send({ keyId: record.id, key });
      },
    );

    app.post(
      '/v1/keys/leaked',
      {
        config: { permission: 'keys:report_leaked', idempotent: true },
        schema: {
          tags,
          summary: 'Report keys found where they should not be: each known live key is quarantined (suspended, undoable) or revoked',
          body: Type.Object(
            {
              keys: Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { minItems: 1, maxItems: 100 }),
              source: Type.Optional(Text({ minLength: 1, maxLength: 200 })),
              action: Type.Optional(Type.Union([Type.Literal('quarantine'), Type.Literal('revoke')])),
            },
            { additionalProperties: false },
          ),
        },
      },
      async (request) => {
        const action = request.body.action ?? 'quarantine';
        const items = await anomalies.reportLeaked(actorOf(request), request.body.keys, {
          source: request.body.source ?? 'a leak report',
          action,
        });
        return { items };
      },
    );
  };
}
