import type { FastifyPluginAsync } from 'fastify';
import { actorOf } from '../http/auth.js';
import { problems } from '../http/contract.js';
import { operations } from '../http/route-table.js';
import { listPage } from '../http/cursor.js';
import { Answer } from '../http/schemas.js';
import type { Services } from '../wiring/services.js';
import {
  Credential,
  DatabaseLease,
  LeaseParams,
  LeasePage,
  LeasesQuery,
  NameParams,
  RenewBody,
  RequestCredentialBody,
} from './database-schemas.js';
import { leaseView } from './database-views.js';

const config = { permission: 'databases:credentials' as const };

/** Credentials and their leases (`databases:credentials`); registered by databases.ts, which adds the shared shapes. */
export function databaseLeaseRoutes(services: Services): FastifyPluginAsync {
  const { leases } = services.databases;
  return operations({ tags: ['databases'] }, (route) => {
    route.post(
      '/v1/databases/roles/:name/credentials',
      {
        // Not idempotent: a kept answer would be a copy of the password. A retry makes a second
        // login, which its own lease ends.
        ...config,
        operationId: 'requestDatabaseCredential',
        summary: 'Request a credential: a fresh login and password with a lease',
        description:
          "The login is made on the target by the role's creation statements; it is dropped, and its sessions ended, when the lease expires or is revoked. The password is shown this once; Tessera keeps no copy. Audited (lease, role, login — never the password).",
        params: NameParams,
        body: RequestCredentialBody,
        response: {
          201: Answer('The credential and its lease.', Credential),
          ...problems('NOT_FOUND', 'TARGET_DATABASE_FAILED', 'KEYRING_UNAVAILABLE', 'DECRYPTION_FAILED'),
        },
      },
      async (request, reply) => {
        const { lease, password, target } = await leases.issue(actorOf(request), request.params.name, request.body.ttlSeconds);
        return reply.code(201).send({
          username: lease.login,
          password,
          ...target,
          lease: leaseView(lease),
        });
      },
    );

    route.get(
      '/v1/databases/leases',
      {
        ...config,
        operationId: 'listDatabaseLeases',
        summary: 'Leases, newest first, with their revocation state (never a password)',
        querystring: LeasesQuery,
        response: { 200: LeasePage },
      },
      async (request) => {
        const { role, state } = request.query;
        const read = (limit: number, beforeId: string | undefined) => leases.list(actorOf(request), { role, state, limit, beforeId });
        return listPage(request.query, 'databaseLease', read, (page) => page.map(leaseView));
      },
    );

    route.get(
      '/v1/databases/leases/:leaseId',
      {
        ...config,
        operationId: 'getDatabaseLease',
        summary: 'A lease and its revocation state',
        params: LeaseParams,
        response: { 200: Answer('The lease.', DatabaseLease), ...problems('NOT_FOUND') },
      },
      async (request) => leaseView(await leases.get(actorOf(request), request.params.leaseId)),
    );

    route.post(
      '/v1/databases/leases/:leaseId/renew',
      {
        ...config,
        operationId: 'renewDatabaseLease',
        summary: "Renew a lease, up to its role's maximum TTL",
        params: LeaseParams,
        body: RenewBody,
        response: {
          200: Answer('The lease, with its new expiry.', DatabaseLease),
          ...problems('NOT_FOUND', 'CONFLICT', 'TARGET_DATABASE_FAILED'),
        },
      },
      async (request) => leaseView(await leases.renew(actorOf(request), request.params.leaseId, request.body.incrementSeconds)),
    );

    route.post(
      '/v1/databases/leases/:leaseId/revoke',
      {
        ...config,
        operationId: 'revokeDatabaseLease',
        summary: 'Revoke a lease: drop its login and end its sessions now',
        description:
          'If the target fails, the lease stays `revoking` and is retried with backoff until its login is dropped; `lastError` says why.',
        params: LeaseParams,
        response: { 200: Answer('The lease: `revoked`, or `revoking` with the last error.', DatabaseLease), ...problems('NOT_FOUND') },
      },
      async (request) => leaseView(await leases.revoke(actorOf(request), request.params.leaseId)),
    );
  });
}
