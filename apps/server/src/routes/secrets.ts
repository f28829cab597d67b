import { TesseraError, type VaultCaller } from '@tessera/core';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { actorOf } from '../http/auth.js';
import { problems } from '../http/contract.js';
import { operations } from '../http/route-table.js';
import { Answer } from '../http/schemas.js';
import { iso } from '../http/views.js';
import type { Services } from '../wiring/services.js';
import {
  GetSecretQuery,
  ListSecretsQuery,
  NameParams,
  PutSecretBody,
  SECRET_SCHEMAS,
  SecretList,
  SecretValue,
  WrittenSecret,
} from './secret-schemas.js';

/**
 * The secrets vault (docs/vault.md). Names may hold `/` (`payments/stripe`), so the name is the
 * rest of the path. Permissions: `secrets:read` / `secrets:write`, optionally for a name pattern
 * (`secrets:read:payments/*`), checked against the name by the vault.
 */
export function secretRoutes(services: Services): FastifyPluginAsync {
  const caller = (request: FastifyRequest): VaultCaller => ({ actor: actorOf(request), grants: request.rootKey!.permissions });
  return operations({ tags: ['secrets'], schemas: SECRET_SCHEMAS }, (route) => {
    route.put(
      '/v1/secrets/*',
      {
        permission: 'secrets:write',
        idempotent: true,
        operationId: 'putSecret',
        summary: 'Store a new version of a secret',
        description:
          'Creates the secret, or adds a version; earlier versions are kept. The value is encrypted by the keyring before it is stored.',
        params: NameParams,
        body: PutSecretBody,
        response: {
          200: Answer('The version written.', WrittenSecret),
          ...problems('CONFLICT', 'KEYRING_UNAVAILABLE', 'DECRYPTION_FAILED'),
        },
      },
      async (request) => {
        const { value, rotateBy } = request.body;
        const r = await services.vault.put(caller(request), request.params['*'], value, parseTime(rotateBy));
        return { ...r, rotateBy: iso(r.rotateBy) };
      },
    );

    route.get(
      '/v1/secrets/*',
      {
        permission: 'secrets:read',
        operationId: 'getSecret',
        summary: 'Read a secret (audited)',
        description: 'The read is audited before the value is decrypted.',
        params: NameParams,
        querystring: GetSecretQuery,
        response: { 200: Answer('The value.', SecretValue), ...problems('NOT_FOUND', 'KEYRING_UNAVAILABLE', 'DECRYPTION_FAILED') },
      },
      async (request) => {
        const r = await services.vault.get(caller(request), request.params['*'], request.query.version);
        return { ...r, rotateBy: iso(r.rotateBy), createdAt: iso(r.createdAt) };
      },
    );

    route.get(
      '/v1/secrets',
      {
        permission: 'secrets:read',
        operationId: 'listSecrets',
        summary: 'List secrets without their values; `rotation=due` reports those due or overdue for rotation',
        querystring: ListSecretsQuery,
        response: { 200: Answer('The secrets, without values.', SecretList) },
      },
      async (request) => {
        const items = await services.vault.list(caller(request), { rotation: request.query.rotation });
        return { items: items.map((s) => ({ ...s, rotateBy: iso(s.rotateBy), createdAt: iso(s.createdAt), updatedAt: iso(s.updatedAt) })) };
      },
    );

    route.remove(
      '/v1/secrets/*',
      {
        permission: 'secrets:write',
        operationId: 'deleteSecret',
        summary: 'Delete a secret and destroy every version it kept',
        params: NameParams,
        response: problems('NOT_FOUND'),
      },
      (request) => services.vault.delete(caller(request), request.params['*']),
    );
  });
}

function parseTime(value: string | null | undefined): number | null | undefined {
  if (value === undefined || value === null) return value;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new TesseraError('VALIDATION_FAILED', 'rotateBy must be an RFC 3339 time');
  return ms;
}
