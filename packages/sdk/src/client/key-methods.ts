import type { OperationCaller } from './operation-caller.js';
import type { CallOptions, OperationBody, OperationQuery } from './operations.js';

// The client's named methods for aPI keys, keyspaces, root keys and honeytokens: each a shorthand for one operation.

/** API keys. */
export const keysMethods = (c: OperationCaller) => ({
  create: (body: OperationBody<'POST /v1/keys'>, o?: CallOptions) => c.call('POST /v1/keys', { body }, o),
  get: (keyId: string, o?: CallOptions) => c.call('GET /v1/keys/{keyId}', { path: { keyId } }, o),
  list: (query: OperationQuery<'GET /v1/keys'>, o?: CallOptions) => c.call('GET /v1/keys', { query }, o),
  update: (keyId: string, body: OperationBody<'PATCH /v1/keys/{keyId}'>, o?: CallOptions) =>
    c.call('PATCH /v1/keys/{keyId}', { path: { keyId }, body }, o),
  revoke: (keyId: string, body: OperationBody<'POST /v1/keys/{keyId}/revoke'> = {}, o?: CallOptions) =>
    c.call('POST /v1/keys/{keyId}/revoke', { path: { keyId }, body }, o),
  roll: (keyId: string, body: OperationBody<'POST /v1/keys/{keyId}/roll'>, o?: CallOptions) =>
    c.call('POST /v1/keys/{keyId}/roll', { path: { keyId }, body }, o),
  /**
   * The usage-driven rollover from a key (rolled with `retireWhenUnused: true`): whether its
   * successor is in use, when it was last seen, when it retires.
   *
   * @example
   * await tessera.keys.roll(keyId, { gracePeriodSeconds: 14 * 86_400, retireWhenUnused: true, quietPeriodSeconds: 3600 });
   * const { data } = await tessera.keys.getRollover(keyId); // data.state: 'pending_first_use' | 'successor_in_use' | 'retired'
   */
  getRollover: (keyId: string, o?: CallOptions) => c.call('GET /v1/keys/{keyId}/rollover', { path: { keyId } }, o),
  /** Usage-driven rollovers of a keyspace or of the workspace, newest first (`state: 'open'` for those still running). */
  listRollovers: (query: OperationQuery<'GET /v1/rollovers'> = {}, o?: CallOptions) => c.call('GET /v1/rollovers', { query }, o),
  delete: (keyId: string, o?: CallOptions) => c.call('DELETE /v1/keys/{keyId}', { path: { keyId } }, o),
  revokeByOwner: (body: OperationBody<'POST /v1/keys/revoke-by-owner'>, o?: CallOptions) =>
    c.call('POST /v1/keys/revoke-by-owner', { body }, o),
  /** Reads back a key of a recoverable keyspace (permission `keys:recover`; audited). */
  recover: (keyId: string, o?: CallOptions) => c.call('GET /v1/keys/{keyId}/recover', { path: { keyId } }, o),
  /** One verification on the server, uncached. {@link KeyVerifier} adds the local cache. */
  verify: (body: OperationBody<'POST /v1/keys/verify'>, o?: CallOptions) => c.call('POST /v1/keys/verify', { body }, o),
  /**
   * Reports keys found where they should not be (a public repository, a paste): each live key
   * of this workspace is quarantined (suspended, undoable through `suspensions.undo`) or, with
   * `action: 'revoke'`, revoked, and a critical `key_leaked` anomaly is recorded. The answer
   * names keys by their masked start only; the keys are kept out of error messages too.
   * Permission `keys:report_leaked`.
   *
   * @example
   * ```ts
   * const { result } = await tessera.keys.reportLeaked({ keys: [found], source: 'github scan' });
   * // result.items: [{ start: 'ord_3xK9…', status: 'quarantined', keyId, anomalyId }]
   * ```
   */
  reportLeaked: (body: OperationBody<'POST /v1/keys/leaked'>, o?: CallOptions) => c.send('POST /v1/keys/leaked', { body }, o, body.keys),
});

/** Keyspaces: a prefix and the keys minted under it. */
export const keyspacesMethods = (c: OperationCaller) => ({
  create: (body: OperationBody<'POST /v1/keyspaces'>, o?: CallOptions) => c.call('POST /v1/keyspaces', { body }, o),
  get: (id: string, o?: CallOptions) => c.call('GET /v1/keyspaces/{id}', { path: { id } }, o),
  list: (o?: CallOptions) => c.call('GET /v1/keyspaces', {}, o),
  /** A keyspace's monitoring policy; the defaults (alert only, no automatic expiry) until set. Permission `keyspaces:read`. */
  getPolicy: (keyspaceId: string, o?: CallOptions) => c.call('GET /v1/keyspaces/{keyspaceId}/policy', { path: { keyspaceId } }, o),
  /**
   * Changes a keyspace's monitoring policy: the fields given, the others kept. Permission
   * `keyspaces:manage`.
   *
   * @example
   * ```ts
   * await tessera.keyspaces.putPolicy(keyspaceId, { anomalyResponse: 'suspend', suspendMinSeverity: 'high', autoExpireUnusedDays: 90 });
   * ```
   */
  putPolicy: (keyspaceId: string, body: OperationBody<'PUT /v1/keyspaces/{keyspaceId}/policy'>, o?: CallOptions) =>
    c.call('PUT /v1/keyspaces/{keyspaceId}/policy', { path: { keyspaceId }, body }, o),
  /** A keyspace's gateway routes (forward auth); none until set, and then every request is refused. Permission `keyspaces:read`. */
  getGatewayRoutes: (keyspaceId: string, o?: CallOptions) =>
    c.call('GET /v1/keyspaces/{keyspaceId}/gateway-routes', { path: { keyspaceId } }, o),
  /**
   * Replaces a keyspace's gateway routes: the header clients send their key in, and the rules (first
   * match wins) that give the scopes a request needs. Permission `keyspaces:manage`.
   *
   * @example
   * ```ts
   * await tessera.keyspaces.putGatewayRoutes(keyspaceId, {
   *   keyHeader: 'x-api-key',
   *   rules: [{ methods: ['GET'], path: '/orders/**', scopes: 'orders:read' }, { path: '/status' }],
   * });
   * ```
   */
  putGatewayRoutes: (keyspaceId: string, body: OperationBody<'PUT /v1/keyspaces/{keyspaceId}/gateway-routes'>, o?: CallOptions) =>
    c.call('PUT /v1/keyspaces/{keyspaceId}/gateway-routes', { path: { keyspaceId }, body }, o),
});

/** Root keys: the management API's own credentials. */
export const rootKeysMethods = (c: OperationCaller) => ({
  create: (body: OperationBody<'POST /v1/root-keys'>, o?: CallOptions) => c.call('POST /v1/root-keys', { body }, o),
  list: (o?: CallOptions) => c.call('GET /v1/root-keys', {}, o),
  revoke: (id: string, o?: CallOptions) => c.call('POST /v1/root-keys/{id}/revoke', { path: { id } }, o),
  /** A new root key with the same reach; the old one expires after `gracePeriodSeconds`. */
  roll: (id: string, body: OperationBody<'POST /v1/root-keys/{id}/roll'>, o?: CallOptions) =>
    c.call('POST /v1/root-keys/{id}/roll', { path: { id }, body }, o),
});

/** Decoy keys: plant one where a thief would look; any use of it is a critical anomaly. */
export const honeytokensMethods = (c: OperationCaller) => ({
  /**
   * Creates a honeytoken in a keyspace (permission `keys:create`): an ordinary-looking key of
   * the keyspace whose every presentation records a critical `honeytoken_used` anomaly. Give it
   * no scope that grants anything.
   *
   * @example
   * ```ts
   * const { result } = await tessera.honeytokens.create({ keyspaceId, name: 'backup-config' });
   * plant(result.key); // shown this once
   * ```
   */
  create: (body: OperationBody<'POST /v1/honeytokens'>, o?: CallOptions) => c.call('POST /v1/honeytokens', { body }, o),
});
