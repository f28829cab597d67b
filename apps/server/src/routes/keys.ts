import { isIP } from 'node:net';
import { parseCidr, TesseraError, type VerifyResult } from '@tessera/core';
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { actorOf } from '../http/auth.js';
import { decodeCursor, encodeCursor } from '../http/cursor.js';
import {
  CreatedKey,
  CreateKeyBody,
  Cursor,
  IdParams,
  KeyView,
  Limit,
  Text,
  Type,
  UpdateKeyBody,
  VerifyAnswer,
  VerifyBody,
} from '../http/schemas.js';
import { keyView, verifyView } from '../http/views.js';
import type { Services } from '../services.js';

const tags = ['keys'];

/** Keys: create, read, list, update, revoke, roll, delete, bulk revoke, verify. */
export function keyRoutes(services: Services, metrics: { observeVerify(code: string, seconds: number): void }): FastifyPluginAsync {
  return async (app0) => {
    const app = app0.withTypeProvider<TypeBoxTypeProvider>();

    app.post(
      '/v1/keys',
      {
        config: { permission: 'keys:create', idempotent: true, keyspace: { body: 'keyspaceId' } },
        schema: { tags, summary: 'Create a key', body: CreateKeyBody, response: { 201: CreatedKey } },
      },
      async (request, reply) => {
        const { ttlSeconds, expiresAt, ...rest } = request.body;
        if (ttlSeconds !== undefined && expiresAt !== undefined && expiresAt !== null) {
          throw new TesseraError('VALIDATION_FAILED', 'Give expiresAt or ttlSeconds, not both.');
        }
        const expiry = ttlSeconds !== undefined ? services.clock.now() + ttlSeconds * 1000 : parseTime(expiresAt);
        checkCidrs(rest.ipAllowlist);
        const { record, key } = await services.keys.createKey(actorOf(request), { ...rest, expiresAt: expiry });
        return reply.code(201).send({ keyId: record.id, key });
      },
    );

    app.get(
      '/v1/keys',
      {
        config: { permission: 'keys:read', keyspace: { query: 'keyspaceId' } },
        schema: {
          tags,
          summary: 'List keys of a keyspace',
          querystring: Type.Object(
            {
              keyspaceId: IdParams('keyspaceId').properties.keyspaceId,
              ownerId: Type.Optional(Text({ minLength: 1, maxLength: 256 })),
              limit: Type.Optional(Limit),
              cursor: Type.Optional(Cursor),
            },
            { additionalProperties: false },
          ),
          response: { 200: Type.Object({ items: Type.Array(KeyView), nextCursor: Type.Union([Type.String(), Type.Null()]) }) },
        },
      },
      async (request) => {
        const limit = request.query.limit ?? 100;
        const after = request.query.cursor === undefined ? undefined : decodeCursor(request.query.cursor, 'key');
        const items = await services.keys.listKeys(actorOf(request), {
          keyspaceId: request.query.keyspaceId,
          ownerId: request.query.ownerId,
          limit: limit + 1,
          after,
        });
        const page = items.slice(0, limit);
        return { items: page.map(keyView), nextCursor: items.length > limit ? encodeCursor(page[page.length - 1]!.id) : null };
      },
    );

    app.get(
      '/v1/keys/:keyId',
      {
        config: { permission: 'keys:read', keyspace: { keyParam: 'keyId' } },
        schema: { tags, summary: 'Get a key', params: IdParams('keyId'), response: { 200: KeyView } },
      },
      async (request) => keyView(await services.keys.getKey(actorOf(request), request.params.keyId)),
    );

    app.patch(
      '/v1/keys/:keyId',
      {
        config: { permission: 'keys:update', idempotent: true, keyspace: { keyParam: 'keyId' } },
        schema: { tags, summary: 'Update a key', params: IdParams('keyId'), body: UpdateKeyBody, response: { 200: KeyView } },
      },
      async (request) => {
        const { expiresAt, ...rest } = request.body;
        checkCidrs(rest.ipAllowlist);
        const patch = expiresAt === undefined ? rest : { ...rest, expiresAt: parseTime(expiresAt) };
        return keyView(await services.keys.updateKey(actorOf(request), request.params.keyId, patch));
      },
    );

    app.post(
      '/v1/keys/:keyId/revoke',
      {
        config: { permission: 'keys:revoke', idempotent: true, keyspace: { keyParam: 'keyId' } },
        schema: {
          tags,
          summary: 'Revoke a key, at once and everywhere',
          params: IdParams('keyId'),
          body: Type.Optional(Type.Object({ reason: Type.Optional(Text({ maxLength: 512 })) }, { additionalProperties: false })),
          response: { 200: KeyView },
        },
      },
      async (request) => keyView(await services.keys.revokeKey(actorOf(request), request.params.keyId, request.body?.reason)),
    );

    app.post(
      '/v1/keys/:keyId/roll',
      {
        // A roll makes a key (and hands it over) and sets the old key's expiry: both permissions.
        config: { permission: ['keys:create', 'keys:update'], idempotent: true, keyspace: { keyParam: 'keyId' } },
        schema: {
          tags,
          summary: 'Roll a key: a new key now, the old one expires after the grace period',
          params: IdParams('keyId'),
          body: Type.Object({ gracePeriodSeconds: Type.Integer({ minimum: 0, maximum: 30 * 86_400 }) }, { additionalProperties: false }),
          response: { 201: CreatedKey },
        },
      },
      async (request, reply) => {
        const { record, key } = await services.keys.rollKey(actorOf(request), request.params.keyId, request.body.gracePeriodSeconds);
        return reply.code(201).send({ keyId: record.id, key });
      },
    );

    app.delete(
      '/v1/keys/:keyId',
      {
        config: { permission: 'keys:delete', keyspace: { keyParam: 'keyId' } },
        schema: {
          tags,
          summary: 'Delete a key (its record stays for the audit trail)',
          params: IdParams('keyId'),
          response: { 204: Type.Null() },
        },
      },
      async (request, reply) => {
        await services.keys.deleteKey(actorOf(request), request.params.keyId);
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/v1/keys/revoke-by-owner',
      {
        config: { permission: 'keys:revoke', idempotent: true },
        schema: {
          tags,
          summary: 'Revoke every key of one owner',
          body: Type.Object(
            { ownerId: Text({ minLength: 1, maxLength: 256 }), reason: Type.Optional(Text({ maxLength: 512 })) },
            { additionalProperties: false },
          ),
          response: { 200: Type.Object({ revoked: Type.Integer(), keyIds: Type.Array(Type.String()) }) },
        },
      },
      async (request) => {
        const keyIds = await services.keys.revokeByOwner(actorOf(request), request.body.ownerId, request.body.reason);
        return { revoked: keyIds.length, keyIds };
      },
    );

    const answer = (result: VerifyResult, ip: string, started: bigint) => {
      metrics.observeVerify(result.code, Number(process.hrtime.bigint() - started) / 1e9);
      services.verifyTimeline.record(result.code, result.keyId, ip);
      return verifyView(result);
    };
    app.post(
      '/v1/keys/verify',
      {
        config: { permission: 'keys:verify', keyspace: 'handler' },
        schema: { tags, summary: 'Verify a key', body: VerifyBody, response: { 200: VerifyAnswer } },
      },
      // Not async: a cached key is answered without a promise (Fastify sends a returned value).
      (request) => {
        const started = process.hrtime.bigint();
        const { key, scopes, keyspaceId, environment, ip, cost, resource, method, userAgent } = request.body;
        if (ip !== undefined && isIP(ip) === 0) throw new TesseraError('VALIDATION_FAILED', 'ip must be an IPv4 or IPv6 address');
        const input = {
          key,
          workspaceId: request.rootKey!.workspaceId,
          keyspaceIds: request.rootKey!.keyspaceIds,
          scopes,
          keyspaceId,
          environment,
          ip: ip ?? request.ip,
          cost,
          resource,
          method,
          userAgent: userAgent ?? request.headers['user-agent'],
        };
        if (scopes !== undefined) services.verifier.expression(scopes); // a bad expression is the caller's 400, whatever the key
        const pending = services.verifier.verify(input);
        return pending instanceof Promise
          ? pending.then((result) => answer(result, input.ip, started))
          : answer(pending, input.ip, started);
      },
    );
  };
}

function parseTime(value: string | null | undefined): number | null | undefined {
  if (value === undefined || value === null) return value;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new TesseraError('VALIDATION_FAILED', 'times must be RFC 3339');
  return ms;
}

function checkCidrs(cidrs: string[] | undefined): void {
  const bad = cidrs?.find((c) => parseCidr(c) === undefined);
  if (bad !== undefined) throw new TesseraError('VALIDATION_FAILED', `ipAllowlist: "${bad.slice(0, 64)}" is not an IPv4 or IPv6 CIDR`);
}
