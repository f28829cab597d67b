import type { OperationCaller } from './operation-caller.js';
import type { CallOptions, OperationQuery } from './operations.js';

// The client's named methods for the audit log: each a shorthand for one operation.

/** The tamper-evident audit log. */
export const auditMethods = (c: OperationCaller) => ({
  list: (query: OperationQuery<'GET /v1/audit'> = {}, o?: CallOptions) => c.call('GET /v1/audit', { query }, o),
  verify: (o?: CallOptions) => c.call('GET /v1/audit/verify', {}, o),
  /** The log as JSON lines, oldest first. */
  export: (query: OperationQuery<'GET /v1/audit/export'> = {}, o?: CallOptions) => c.call('GET /v1/audit/export', { query }, o),
  /** Signs a checkpoint of the chain head now; `undefined` when there is nothing new to sign. */
  checkpoint: (o?: CallOptions) => c.call('POST /v1/audit/checkpoints', {}, o),
});
