import type { FastifyPluginAsync } from 'fastify';
import { actorOf } from '../http/auth.js';
import { problems } from '../http/contract.js';
import { operations } from '../http/route-table.js';
import { Answer } from '../http/schemas.js';
import type { Services } from '../wiring/services.js';
import {
  ConnectionList,
  DATABASE_SCHEMAS,
  DatabaseConnection,
  DatabaseRole,
  NameParams,
  PutConnectionBody,
  PutRoleBody,
  RoleList,
} from './database-schemas.js';
import { connectionView, roleView } from './database-views.js';
import { databaseLeaseRoutes } from './database-leases.js';

const config = { permission: 'databases:manage' as const };

/**
 * Dynamic database credentials (docs/dynamic-secrets.md): target connections and roles here
 * (`databases:manage`), credentials and leases in database-leases.ts (`databases:credentials`).
 */
export function databaseRoutes(services: Services): FastifyPluginAsync {
  const { admin } = services.databases;
  return operations({ tags: ['databases'], schemas: DATABASE_SCHEMAS }, async (route, app) => {
    route.put(
      '/v1/databases/connections/:name',
      {
        ...config,
        idempotent: true,
        operationId: 'putDatabaseConnection',
        summary: 'Register a target database, or replace its settings',
        description:
          'Logs in with the admin credentials first: a connection that cannot log in is refused. The password is encrypted by the keyring and never shown again.',
        params: NameParams,
        body: PutConnectionBody,
        response: {
          200: Answer('The connection, without its password.', DatabaseConnection),
          ...problems('TARGET_DATABASE_FAILED', 'CONFLICT', 'KEYRING_UNAVAILABLE'),
        },
      },
      async (request) => connectionView(await admin.putConnection(actorOf(request), request.params.name, request.body)),
    );

    route.get(
      '/v1/databases/connections',
      {
        ...config,
        operationId: 'listDatabaseConnections',
        summary: 'Target databases, without passwords',
        response: { 200: ConnectionList },
      },
      async (request) => ({ items: (await admin.listConnections(actorOf(request))).map(connectionView) }),
    );

    route.remove(
      '/v1/databases/connections/:name',
      {
        ...config,
        operationId: 'deleteDatabaseConnection',
        summary: 'Delete a connection no role uses',
        params: NameParams,
        response: problems('NOT_FOUND', 'CONFLICT'),
      },
      (request) => admin.deleteConnection(actorOf(request), request.params.name),
    );

    route.put(
      '/v1/databases/roles/:name',
      {
        ...config,
        idempotent: true,
        operationId: 'putDatabaseRole',
        summary: 'Write a role: the statements that make and drop its logins, and their TTLs',
        description: 'Leases already issued keep their expiry and maximum.',
        params: NameParams,
        body: PutRoleBody,
        response: { 200: Answer('The role.', DatabaseRole), ...problems('CONFLICT') },
      },
      async (request) => {
        const role = await admin.putRole(actorOf(request), request.params.name, request.body);
        return roleView(role, request.body.connection);
      },
    );

    route.get(
      '/v1/databases/roles',
      {
        ...config,
        operationId: 'listDatabaseRoles',
        summary: 'Roles of dynamic credentials',
        response: { 200: RoleList },
      },
      async (request) => {
        const actor = actorOf(request);
        const names = new Map((await admin.listConnections(actor)).map((c) => [c.id, c.name]));
        return { items: (await admin.listRoles(actor)).map((r) => roleView(r, names.get(r.connectionId) ?? '')) };
      },
    );

    route.remove(
      '/v1/databases/roles/:name',
      {
        ...config,
        operationId: 'deleteDatabaseRole',
        summary: 'Delete a role none of whose leases is still open',
        params: NameParams,
        response: problems('NOT_FOUND', 'CONFLICT'),
      },
      (request) => admin.deleteRole(actorOf(request), request.params.name),
    );

    await app.register(databaseLeaseRoutes(services));
  });
}
