import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { actorOf } from '../http/auth.js';
import { IdParams, Type } from '../http/schemas.js';
import type { Services } from '../services.js';

/** Reading back a key of a recoverable keyspace: a read of what the keyring protects, audited. */
export function keyRecoveryRoutes(services: Services): FastifyPluginAsync {
  return async (app0) => {
    const app = app0.withTypeProvider<TypeBoxTypeProvider>();

    app.get(
      '/v1/keys/:keyId/recover',
      {
        config: { permission: 'keys:recover' },
        schema: {
          tags: ['keys'],
          summary: 'Read back a key of a recoverable keyspace (permission keys:recover; audited)',
          params: IdParams('keyId'),
          response: { 200: Type.Object({ keyId: Type.String(), key: Type.String() }) },
        },
      },
      async (request) => services.recovery.recover(actorOf(request), request.params.keyId),
    );
  };
}
