import type { OperationCaller } from './operation-caller.js';
import type { CallOptions, OperationBody, OperationQuery } from './operations.js';

// The client's named methods for the vault: each a shorthand for one operation.

/** The vault: versioned secrets. Names may contain `/` (`payments/stripe`). */
export const secretsMethods = (c: OperationCaller) => ({
  put: (name: string, body: OperationBody<'PUT /v1/secrets/{*}'>, o?: CallOptions) =>
    c.call('PUT /v1/secrets/{*}', { path: { '*': name }, body }, o),
  get: (name: string, query: OperationQuery<'GET /v1/secrets/{*}'> = {}, o?: CallOptions) =>
    c.call('GET /v1/secrets/{*}', { path: { '*': name }, query }, o),
  list: (query: OperationQuery<'GET /v1/secrets'> = {}, o?: CallOptions) => c.call('GET /v1/secrets', { query }, o),
  delete: (name: string, o?: CallOptions) => c.call('DELETE /v1/secrets/{*}', { path: { '*': name } }, o),
});
