import type { TypedApp } from '../http/typed-app.js';
import { actorOf } from '../http/auth.js';
import { problems } from '../http/contract.js';
import { routeTable } from '../http/route-table.js';
import { Type } from '../http/schemas.js';
import { CreatedKey } from './key-schemas.js';
import { createdKeyView } from './keys.js';
import type { Services } from '../wiring/services.js';
import { HoneytokenBody } from './anomaly-schemas.js';

const CreatedHoneytoken = Type.Object(CreatedKey.properties, {
  examples: [{ keyId: 'key_0Hq3Zk2W7bD4sLmP9xTq1n', key: 'acme_3xR9kQ2mT7vW1zY4bN6cP8dF0gH' }],
});

/** Honeytokens: decoy keys whose every use is a critical anomaly. */
export function honeytokenRoutes(app: TypedApp, services: Services): void {
  const route = routeTable(app, ['anomalies']);
  const { honeytokens } = services.monitoring;
  route.post(
    '/v1/honeytokens',
    {
      permission: 'keys:create',
      idempotent: true,
      keyspace: { body: 'keyspaceId' },
      operationId: 'createHoneytoken',
      summary: 'Create a honeytoken: a decoy key to plant where a thief would look; any use of it is a critical anomaly',
      body: HoneytokenBody,
      response: { 201: CreatedHoneytoken, ...problems('NOT_FOUND') },
    },
    async (request, reply) => reply.code(201).send(createdKeyView(await honeytokens.create(actorOf(request), request.body))),
  );
}
