import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { actorOf } from '../http/auth.js';
import { problems } from '../http/contract.js';
import { Answer, IdParams } from '../http/schemas.js';
import type { Services } from '../wiring/services.js';
import { RecoveredKey } from './key-schemas.js';

/** Reading back a key of a recoverable keyspace: a read of what the keyring protects, audited. */
export function keyRecoveryRoutes(services: Services): FastifyPluginAsync {
  return async (app0) => {
    const app = app0.withTypeProvider<TypeBoxTypeProvider>();

    app.get(
      '/v1/keys/:keyId/recover',
      {
        config: { permission: 'keys:recover' },
        schema: {
          operationId: 'recoverKey',
          tags: ['keys'],
          summary: 'Read back a key of a recoverable keyspace (permission keys:recover; audited)',
          description:
            'Only a key made in a keyspace created with `recoverable: true`, and not revoked (`CONFLICT` otherwise). The read is audited before the key is decrypted.',
          params: IdParams('keyId'),
          response: {
            200: Answer('The key itself.', RecoveredKey),
            ...problems('NOT_FOUND', 'CONFLICT', 'KEYRING_UNAVAILABLE', 'DECRYPTION_FAILED'),
          },
        },
      },
      async (request) => services.recovery.recover(actorOf(request), request.params.keyId),
    );
  };
}
