import type { RotationView, VaultCaller } from '@tessera/core';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { actorOf } from '../http/auth.js';
import { problems } from '../http/contract.js';
import { operations } from '../http/route-table.js';
import { Answer } from '../http/schemas.js';
import { iso } from '../http/views.js';
import type { Services } from '../wiring/services.js';
import { NameParams } from './secret-schemas.js';
import { ConfiguredRotation, PutRotationBody, Rotation, RotationList, RotationRun, ROTATION_SCHEMAS } from './secret-rotation-schemas.js';

/**
 * Rotation of vault secrets (docs/rotation.md): a rotator and a schedule per secret, its state,
 * and "rotate now". Permissions are the secret's own: `secrets:write` for the name to change or
 * rotate, `secrets:read` to look.
 */
export function secretRotationRoutes(services: Services): FastifyPluginAsync {
  const caller = (request: FastifyRequest): VaultCaller => ({ actor: actorOf(request), grants: request.rootKey!.permissions });
  const rotations = services.secretRotation.rotations;
  return operations({ tags: ['secrets'], schemas: ROTATION_SCHEMAS }, (route) => {
    route.put(
      '/v1/secret-rotations/*',
      {
        permission: 'secrets:write',
        operationId: 'putSecretRotation',
        summary: "Set a secret's rotator and schedule",
        description:
          'The secret must hold its current value already. A webhook rotator gets a signing secret the first time, answered once.',
        params: NameParams,
        body: PutRotationBody,
        response: {
          200: Answer('The rotation as set.', ConfiguredRotation),
          ...problems('NOT_FOUND', 'CONFLICT', 'KEYRING_UNAVAILABLE'),
        },
      },
      async (request) => view(await rotations.configure(caller(request), request.params['*'], request.body)),
    );

    route.get(
      '/v1/secret-rotations/*',
      {
        permission: 'secrets:read',
        operationId: 'getSecretRotation',
        summary: "A secret's rotation: rotator, schedule, next rotation and last result",
        params: NameParams,
        response: { 200: Answer('The rotation.', Rotation), ...problems('NOT_FOUND') },
      },
      async (request) => view(await rotations.get(caller(request), request.params['*'])),
    );

    route.get(
      '/v1/secret-rotations',
      {
        permission: 'secrets:read',
        operationId: 'listSecretRotations',
        summary: 'Every secret rotation the root key may read',
        response: { 200: Answer('The rotations, by secret name.', RotationList) },
      },
      async (request) => ({ items: (await rotations.list(caller(request))).map(view) }),
    );

    route.remove(
      '/v1/secret-rotations/*',
      {
        permission: 'secrets:write',
        operationId: 'deleteSecretRotation',
        summary: "Clear a secret's rotation (its versions stay)",
        params: NameParams,
        done: 'Cleared',
        response: problems('NOT_FOUND'),
      },
      (request) => rotations.clear(caller(request), request.params['*']),
    );

    route.post(
      '/v1/secret-rotations/*',
      {
        permission: 'secrets:write',
        operationId: 'rotateSecretNow',
        summary: 'Rotate a secret now, whatever its schedule',
        description:
          'Runs one attempt and answers the state after it: `version` is the new current version, or null when the attempt failed (`lastError` says why; it is retried with backoff, and the current version stays).',
        params: NameParams,
        response: {
          200: Answer('The rotation after the attempt.', RotationRun),
          ...problems('NOT_FOUND', 'CONFLICT', 'KEYRING_UNAVAILABLE'),
        },
      },
      async (request) => {
        const r = await rotations.rotateNow(caller(request), request.params['*']);
        return { ...view(r), version: r.version };
      },
    );
  });
}

function view<T extends RotationView>(r: T) {
  return {
    ...r,
    nextRotationAt: iso(r.nextRotationAt),
    lastAttemptAt: iso(r.lastAttemptAt),
    lastRotatedAt: iso(r.lastRotatedAt),
  };
}
