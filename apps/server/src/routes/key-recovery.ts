import type { FastifyPluginAsync } from 'fastify';
import { actorOf } from '../http/auth.js';
import { problems } from '../http/contract.js';
import { operations } from '../http/route-table.js';
import { Answer, IdParams } from '../http/schemas.js';
import type { Services } from '../wiring/services.js';
import { RecoveredKey } from './key-schemas.js';

/** Reading back a key of a recoverable keyspace: a read of what the keyring protects, audited. */
export function keyRecoveryRoutes(services: Services): FastifyPluginAsync {
  return operations({ tags: ['keys'] }, (route) => {
    route.get(
      '/v1/keys/:keyId/recover',
      {
        permission: 'keys:recover',
        operationId: 'recoverKey',
        summary: 'Read back a key of a recoverable keyspace (permission keys:recover; audited)',
        description:
          'Only a key made in a keyspace created with `recoverable: true`, and not revoked (`CONFLICT` otherwise). The read is audited before the key is decrypted.',
        params: IdParams('keyId'),
        response: {
          200: Answer('The key itself.', RecoveredKey),
          ...problems('NOT_FOUND', 'CONFLICT', 'KEYRING_UNAVAILABLE', 'DECRYPTION_FAILED'),
        },
      },
      async (request) => services.recovery.recover(actorOf(request), request.params.keyId),
    );
  });
}
