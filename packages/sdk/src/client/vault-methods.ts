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
  /** Rotation of secrets by a rotator, on a schedule or when asked (docs/rotation.md). */
  rotation: {
    set: (name: string, body: OperationBody<'PUT /v1/secret-rotations/{*}'>, o?: CallOptions) =>
      c.call('PUT /v1/secret-rotations/{*}', { path: { '*': name }, body }, o),
    get: (name: string, o?: CallOptions) => c.call('GET /v1/secret-rotations/{*}', { path: { '*': name } }, o),
    list: (o?: CallOptions) => c.call('GET /v1/secret-rotations', {}, o),
    clear: (name: string, o?: CallOptions) => c.call('DELETE /v1/secret-rotations/{*}', { path: { '*': name } }, o),
    /** One attempt now: `version` is the new current version, or null when it failed (see `lastError`). */
    rotateNow: (name: string, o?: CallOptions) => c.call('POST /v1/secret-rotations/{*}', { path: { '*': name } }, o),
  },
});
