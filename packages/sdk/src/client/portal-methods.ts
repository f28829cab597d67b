import type { OperationCaller } from './operation-caller.js';
import type { CallOptions, OperationBody } from './operations.js';

// The client's named methods for the portal: each a shorthand for one operation.

/** The self-service portal where your customers manage their own keys (docs/portal.md). */
export const portalMethods = (c: OperationCaller) => ({
  /**
   * A portal session for one of your customers: send their browser to `url`, which opens the portal
   * once, within five minutes, for their keys of this keyspace. Permission `portal:manage`.
   *
   * @example
   * ```ts
   * const { result } = await tessera.portal.createSession({
   *   ownerId: customer.id,
   *   keyspaceId,
   *   returnUrl: 'https://app.example.com/settings/api',
   * });
   * if (result) reply.redirect(result.url);
   * ```
   */
  createSession: (body: OperationBody<'POST /v1/portal/sessions'>, o?: CallOptions) => c.call('POST /v1/portal/sessions', { body }, o),
  /** A keyspace's portal settings (the defaults until set). Permission `keyspaces:read`. */
  getSettings: (keyspaceId: string, o?: CallOptions) => c.call('GET /v1/keyspaces/{keyspaceId}/portal', { path: { keyspaceId } }, o),
  /**
   * Changes a keyspace's portal settings: the limits owners work within and the branding; fields
   * left out stay. Permission `keyspaces:manage`.
   *
   * @example
   * ```ts
   * await tessera.portal.updateSettings(keyspaceId, { maxKeysPerOwner: 3, allowedScopes: ['orders:read'], brandColor: '#0a6b44' });
   * ```
   */
  updateSettings: (keyspaceId: string, body: OperationBody<'PATCH /v1/keyspaces/{keyspaceId}/portal'>, o?: CallOptions) =>
    c.call('PATCH /v1/keyspaces/{keyspaceId}/portal', { path: { keyspaceId }, body }, o),
});
