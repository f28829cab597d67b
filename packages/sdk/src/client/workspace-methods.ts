import type { OperationCaller } from './operation-caller.js';
import type { CallOptions, OperationBody, OperationQuery } from './operations.js';

// The client's named methods for workspaces: each a shorthand for one operation.

/** Workspaces: the unit Tessera keeps apart (read: `workspaces:read`; create and rename: `workspaces:manage`). */
export const workspacesMethods = (c: OperationCaller) => ({
  /**
   * Creates a workspace; the root key reaches it from then on. With `rootKey` the answer also
   * holds the new workspace's first root key, shown this once.
   *
   * @example
   * ```ts
   * const { result } = await tessera.workspaces.create({ name: 'payments', rootKey: { name: 'payments admin', permissions: ['keys:*'] } });
   * const payments = new Tessera({ baseUrl, rootKey: result.rootKey.key });
   * ```
   */
  create: (body: OperationBody<'POST /v1/workspaces'>, o?: CallOptions) => c.call('POST /v1/workspaces', { body }, o),
  /** The workspaces the root key reaches, a page at a time. */
  list: (query: OperationQuery<'GET /v1/workspaces'> = {}, o?: CallOptions) => c.call('GET /v1/workspaces', { query }, o),
  get: (id: string, o?: CallOptions) => c.call('GET /v1/workspaces/{id}', { path: { id } }, o),
  rename: (id: string, name: string, o?: CallOptions) => c.call('PATCH /v1/workspaces/{id}', { path: { id }, body: { name } }, o),
  /** The name, logo and colour of the caller's workspace on the hosted sign-in, consent, device and account pages. */
  getBranding: (o?: CallOptions) => c.call('GET /v1/workspace/branding', {}, o),
  /** Changes the brand of the hosted pages (`oauth:manage`); `null` clears a field. */
  updateBranding: (body: OperationBody<'PATCH /v1/workspace/branding'>, o?: CallOptions) =>
    c.call('PATCH /v1/workspace/branding', { body }, o),
});
