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
});
