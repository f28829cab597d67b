import type { OperationCaller } from './operation-caller.js';
import type { CallOptions, OperationBody, OperationQuery } from './operations.js';

// The client's named methods for end users: each a shorthand for one operation.

/** End users: the people a workspace's apps sign in through the authorization endpoint. */
export const endUsersMethods = (c: OperationCaller) => ({
  create: (body: OperationBody<'POST /v1/users'>, o?: CallOptions) => c.call('POST /v1/users', { body }, o),
  list: (query: OperationQuery<'GET /v1/users'> = {}, o?: CallOptions) => c.call('GET /v1/users', { query }, o),
  get: (userId: string, o?: CallOptions) => c.call('GET /v1/users/{userId}', { path: { userId } }, o),
  disable: (userId: string, o?: CallOptions) => c.call('POST /v1/users/{userId}/disable', { path: { userId } }, o),
  enable: (userId: string, o?: CallOptions) => c.call('POST /v1/users/{userId}/enable', { path: { userId } }, o),
  delete: (userId: string, o?: CallOptions) => c.call('DELETE /v1/users/{userId}', { path: { userId } }, o),
  /** The apps the user granted access, with their scopes and live refresh tokens. */
  grants: (userId: string, o?: CallOptions) => c.call('GET /v1/users/{userId}/grants', { path: { userId } }, o),
  /** Revokes one app's access: its consent and its refresh tokens. */
  revokeGrant: (userId: string, clientId: string, o?: CallOptions) =>
    c.call('DELETE /v1/users/{userId}/grants/{clientId}', { path: { userId, clientId } }, o),
  /** Resets the user's second factor: they sign in with their password until they enrol again. */
  resetSecondFactor: (userId: string, o?: CallOptions) => c.call('DELETE /v1/users/{userId}/second-factor', { path: { userId } }, o),
  /** Ends every sign-in of the user, revokes all their grants and forgets their consents. */
  endSessions: (userId: string, o?: CallOptions) => c.call('POST /v1/users/{userId}/sessions/end', { path: { userId } }, o),
});
