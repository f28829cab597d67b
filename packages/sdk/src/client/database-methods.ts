import type { OperationCaller } from './operation-caller.js';
import type { CallOptions, OperationBody, OperationQuery } from './operations.js';

/**
 * Dynamic database credentials: target connections and roles (permission `databases:manage`),
 * credentials and their leases (`databases:credentials`).
 *
 * @example
 * ```ts
 * const { result, error } = await tessera.databases.requestCredential('readonly', { ttlSeconds: 900 });
 * if (error) throw error;
 * connect({ user: result.username, password: result.password }); // the password is shown this once
 * await tessera.databases.revokeLease(result.lease.leaseId); // the login is dropped, its sessions ended
 * ```
 */
export const databasesMethods = (c: OperationCaller) => ({
  /** Registers a target database (its admin login is checked first), or replaces its settings. */
  putConnection: (name: string, body: OperationBody<'PUT /v1/databases/connections/{name}'>, o?: CallOptions) =>
    c.call('PUT /v1/databases/connections/{name}', { path: { name }, body }, o),
  listConnections: (o?: CallOptions) => c.call('GET /v1/databases/connections', {}, o),
  deleteConnection: (name: string, o?: CallOptions) => c.call('DELETE /v1/databases/connections/{name}', { path: { name } }, o),
  /** Writes a role: its creation (and revocation, renewal) statements and TTLs. */
  putRole: (name: string, body: OperationBody<'PUT /v1/databases/roles/{name}'>, o?: CallOptions) =>
    c.call('PUT /v1/databases/roles/{name}', { path: { name }, body }, o),
  listRoles: (o?: CallOptions) => c.call('GET /v1/databases/roles', {}, o),
  deleteRole: (name: string, o?: CallOptions) => c.call('DELETE /v1/databases/roles/{name}', { path: { name } }, o),
  /** A fresh login and password of a role, with a lease. */
  requestCredential: (role: string, body: OperationBody<'POST /v1/databases/roles/{name}/credentials'> = {}, o?: CallOptions) =>
    c.call('POST /v1/databases/roles/{name}/credentials', { path: { name: role }, body }, o),
  listLeases: (query: OperationQuery<'GET /v1/databases/leases'> = {}, o?: CallOptions) => c.call('GET /v1/databases/leases', { query }, o),
  getLease: (leaseId: string, o?: CallOptions) => c.call('GET /v1/databases/leases/{leaseId}', { path: { leaseId } }, o),
  /** Extends a lease, never past its `maxExpiresAt`. */
  renewLease: (leaseId: string, body: OperationBody<'POST /v1/databases/leases/{leaseId}/renew'> = {}, o?: CallOptions) =>
    c.call('POST /v1/databases/leases/{leaseId}/renew', { path: { leaseId }, body }, o),
  /** Drops the lease's login and ends its sessions (`revoking` with `lastError` while the target fails). */
  revokeLease: (leaseId: string, o?: CallOptions) => c.call('POST /v1/databases/leases/{leaseId}/revoke', { path: { leaseId } }, o),
});
