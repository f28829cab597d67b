import { parseCidr, rotationDueAt, TesseraError, type KeyRecord } from '@tessera/core';
import type { FastifyPluginAsync } from 'fastify';
import { actorOf } from '../http/auth.js';
import { problems } from '../http/contract.js';
import { operations } from '../http/route-table.js';
import { listPage } from '../http/cursor.js';
import { Answer, IdParams } from '../http/schemas.js';
import { keyView } from '../http/views.js';
import type { Services } from '../wiring/services.js';
import {
  CreatedKey,
  CreateKeyBody,
  Key,
  KEY_SCHEMAS,
  KeyPage,
  ListKeysQuery,
  RevokedByOwner,
  RevokeByOwnerBody,
  RevokeKeyBody,
  RollBody,
  UpdateKeyBody,
} from './key-schemas.js';

/** An operation on one key, named in the path: a root key limited to keyspaces must reach the key's keyspace. */
export const ofKey = { keyspace: { keyParam: 'keyId' }, params: IdParams('keyId') };

/** The answer to making a key (creating, rolling, planting a honeytoken): its id, and the key itself this once. */
export const createdKeyView = ({ record, key }: { record: KeyRecord; key: string }) => ({ keyId: record.id, key });

/** Keys: create, read, list, update, revoke, roll, delete, revoke by owner (verify is in verify.ts). */
export function keyRoutes(services: Services): FastifyPluginAsync {
  return operations({ tags: ['keys'], schemas: KEY_SCHEMAS }, (route) => {
    const { honeytokens, policies } = services.monitoring;
    /** When a key is due for rotation under its keyspace's policy (the policy cached for a minute). */
    const dueAt = async (k: KeyRecord) => rotationDueAt(k, await policies.current(k.keyspaceId));
    /** One key as the API shows it, marked when it is a decoy. */
    const shown = async (k: KeyRecord) => keyView(k, (await honeytokens.decoysAmong([k.id])).has(k.id), await dueAt(k));

    route.post(
      '/v1/keys',
      {
        permission: 'keys:create',
        idempotent: true,
        keyspace: { body: 'keyspaceId' },
        operationId: 'createKey',
        summary: 'Create a key',
        description:
          'The key is in this answer and nowhere else, ever: Tessera keeps only its hash (and, in a recoverable keyspace, a ciphertext).',
        body: CreateKeyBody,
        response: {
          201: Answer('The new key.', CreatedKey),
          ...problems('NOT_FOUND', 'KEY_LIFETIME_EXCEEDED', 'KEYRING_UNAVAILABLE', 'DECRYPTION_FAILED'),
        },
      },
      async (request, reply) => {
        const { ttlSeconds, expiresAt, ...rest } = request.body;
        if (ttlSeconds !== undefined && expiresAt !== undefined && expiresAt !== null) {
          throw new TesseraError('VALIDATION_FAILED', 'Give expiresAt or ttlSeconds, not both.');
        }
        const expiry = ttlSeconds !== undefined ? services.clock.now() + ttlSeconds * 1000 : parseTime(expiresAt);
        checkCidrs(rest.ipAllowlist);
        return reply.code(201).send(createdKeyView(await services.keys.createKey(actorOf(request), { ...rest, expiresAt: expiry })));
      },
    );

    route.get(
      '/v1/keys',
      {
        permission: 'keys:read',
        keyspace: { query: 'keyspaceId' },
        operationId: 'listKeys',
        summary: 'List keys of a keyspace, or of every keyspace',
        description: 'Narrowed, when asked, by owner, by text (`q`) and by state; a cursor pages on with the same filters.',
        querystring: ListKeysQuery,
        response: { 200: Answer('A page of keys.', KeyPage), ...problems('NOT_FOUND') },
      },
      async (request) => {
        const { keyspaceId, ownerId, q: search, state } = request.query;
        const read = (limit: number, after: string | undefined) =>
          services.keys.listKeys(actorOf(request), { keyspaceId, ownerId, search, state, limit, after });
        return listPage(request.query, 'key', read, async (page) => {
          const decoys = await honeytokens.decoysAmong(page.map((k) => k.id));
          const due = await Promise.all(page.map(dueAt));
          return page.map((k, i) => keyView(k, decoys.has(k.id), due[i]));
        });
      },
    );

    route.get(
      '/v1/keys/:keyId',
      {
        permission: 'keys:read',
        ...ofKey,
        operationId: 'getKey',
        summary: 'Get a key',
        response: { 200: Answer('The key.', Key), ...problems('NOT_FOUND') },
      },
      async (request) => shown(await services.keys.getKey(actorOf(request), request.params.keyId)),
    );

    route.patch(
      '/v1/keys/:keyId',
      {
        permission: 'keys:update',
        idempotent: true,
        ...ofKey,
        operationId: 'updateKey',
        summary: 'Update a key',
        description: 'Fields left out stay as they are; `null` clears one.',
        body: UpdateKeyBody,
        response: { 200: Answer('The key as it is now.', Key), ...problems('NOT_FOUND', 'KEY_LIFETIME_EXCEEDED') },
      },
      async (request) => {
        const { expiresAt, ...rest } = request.body;
        checkCidrs(rest.ipAllowlist);
        const patch = expiresAt === undefined ? rest : { ...rest, expiresAt: parseTime(expiresAt) };
        return shown(await services.keys.updateKey(actorOf(request), request.params.keyId, patch));
      },
    );

    route.post(
      '/v1/keys/:keyId/revoke',
      {
        permission: 'keys:revoke',
        idempotent: true,
        ...ofKey,
        operationId: 'revokeKey',
        summary: 'Revoke a key, at once and everywhere',
        description: 'Every node and every SDK cache hears of it at once. Revoking a revoked key changes nothing.',
        body: RevokeKeyBody,
        response: { 200: Answer('The revoked key.', Key), ...problems('NOT_FOUND') },
      },
      async (request) => shown(await services.keys.revokeKey(actorOf(request), request.params.keyId, request.body?.reason)),
    );

    route.post(
      '/v1/keys/:keyId/roll',
      {
        // A roll makes a key (and hands it over) and sets the old key's expiry: both permissions.
        permission: ['keys:create', 'keys:update'],
        idempotent: true,
        ...ofKey,
        operationId: 'rollKey',
        summary: 'Roll a key: a new key now, the old one expires after the grace period',
        description:
          "The new key has the old one's attributes. A revoked key is not rolled (`CONFLICT`), nor, with `retireWhenUnused`, a key rolled already. With `retireWhenUnused` the old key retires by itself once the new one is in use and the old one is quiet (docs/rotation.md).",
        body: RollBody,
        response: {
          201: Answer('The new key.', CreatedKey),
          ...problems('NOT_FOUND', 'CONFLICT', 'KEYRING_UNAVAILABLE', 'DECRYPTION_FAILED'),
        },
      },
      async (request, reply) => {
        const { gracePeriodSeconds, retireWhenUnused, quietPeriodSeconds } = request.body;
        if (retireWhenUnused !== true && quietPeriodSeconds !== undefined)
          throw new TesseraError('VALIDATION_FAILED', 'quietPeriodSeconds goes with retireWhenUnused: true.');
        if (retireWhenUnused === true && gracePeriodSeconds === 0)
          throw new TesseraError('VALIDATION_FAILED', 'With retireWhenUnused, gracePeriodSeconds is the deadline and must be above 0.');
        const retire = retireWhenUnused === true ? { quietPeriodSeconds: quietPeriodSeconds ?? 86_400 } : undefined;
        const rolled = await services.keys.rollKey(actorOf(request), request.params.keyId, gracePeriodSeconds, {
          retireWhenUnused: retire,
        });
        return reply.code(201).send(createdKeyView(rolled));
      },
    );

    route.remove(
      '/v1/keys/:keyId',
      {
        permission: 'keys:delete',
        ...ofKey,
        operationId: 'deleteKey',
        summary: 'Delete a key (its record stays for the audit trail)',
        done: 'Deleted.',
        response: problems('NOT_FOUND'),
      },
      (request) => services.keys.deleteKey(actorOf(request), request.params.keyId),
    );

    route.post(
      '/v1/keys/revoke-by-owner',
      {
        permission: 'keys:revoke',
        idempotent: true,
        operationId: 'revokeKeysByOwner',
        summary: 'Revoke every key of one owner',
        body: RevokeByOwnerBody,
        response: { 200: RevokedByOwner },
      },
      async (request) => {
        const keyIds = await services.keys.revokeByOwner(actorOf(request), request.body.ownerId, request.body.reason);
        return { revoked: keyIds.length, keyIds };
      },
    );
  });
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
