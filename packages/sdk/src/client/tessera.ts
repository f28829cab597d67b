import type { Operations } from '@tessera/api';
import { HttpClient, type HttpClientOptions } from './http-client.js';
import type { UndocumentedAnswers } from './monitoring-types.js';
import type { Result } from './tessera-error.js';
import { followKeyEvents } from '../verify/key-events.js';
import { KeyVerifier, type VerifyCacheOptions, type VerifyKeyOptions, type VerifyKeyResult } from '../verify/key-verifier.js';

/** The name of a management operation: `"<METHOD> <path template>"`, as in the OpenAPI document. */
export type Operation = keyof Operations;
/**
 * What an operation answers on success: from the OpenAPI document, or from
 * {@link UndocumentedAnswers} where the document does not describe the answer.
 */
export type OperationResult<O extends Operation> = O extends keyof KnownOperations<UndocumentedAnswers>
  ? UndocumentedAnswers[O]
  : Operations[O]['response'];
/** Refuses to compile when an entry of `T` names no operation (a typo, or one the server dropped). */
type KnownOperations<T extends { [K in keyof T]: K extends Operation ? unknown : never }> = T;
/** The JSON body an operation takes. */
export type OperationBody<O extends Operation> = Operations[O]['body'];
/** The query parameters an operation takes. */
export type OperationQuery<O extends Operation> = Operations[O]['query'];

export interface TesseraOptions extends HttpClientOptions {
  /** The local cache of `verifyKey`; `false` asks the server every time. */
  cache?: VerifyCacheOptions | false | undefined;
  /**
   * Follow the server's key events (`GET /v1/events`, permission `keys:verify`) so that a revoked
   * or changed key leaves the cache at once instead of when its entry runs out. Call `close()`
   * when done: the stream keeps a connection open.
   */
  events?: boolean | undefined;
  /** The clock of the cache, in ms since the epoch (tests freeze it). */
  now?: (() => number) | undefined;
}

/** Per-call options. */
export interface CallOptions {
  signal?: AbortSignal | undefined;
  /**
   * The `Idempotency-Key` of a POST, PUT or PATCH (default: a fresh random one per call, the same
   * on each of its retries). Give your own to make a change safe to repeat across restarts of
   * your program: within 24 hours, the same key and body get the first outcome back.
   */
  idempotencyKey?: string | undefined;
}

type Params = Record<string, string>;

/**
 * A typed client for Tessera's management API. Every method resolves to `{ result }` or
 * `{ error }` and never throws for an answer or an outage.
 *
 * @example
 * ```ts
 * const tessera = new Tessera({ baseUrl: 'http://127.0.0.1:8080', rootKey: process.env.TESSERA_ROOT_KEY });
 * const { result, error } = await tessera.keys.create({ keyspaceId: 'ks_…', ownerId: 'acme', scopes: ['orders:read'] });
 * if (error) throw error;
 * console.log(result.key); // shown this once
 * ```
 */
export class Tessera {
  /** The HTTP layer: timeouts, retries, errors as values. */
  readonly http: HttpClient;
  private readonly verifier: KeyVerifier;
  private readonly events: { close(): void; ready: Promise<boolean> } | undefined;

  constructor(options: TesseraOptions) {
    this.http = new HttpClient(options);
    this.verifier = new KeyVerifier(this.http, options.cache, options.now);
    if (options.events === true) {
      this.events = followKeyEvents(this.http, {
        onEvent: (e) => this.verifier.invalidate(e.kind === 'key' ? e.id : undefined),
        onReset: () => this.verifier.invalidate(),
      });
    }
  }

  /**
   * Verifies an API key: refused at once when malformed or its checksum is wrong; otherwise
   * answered from the local cache when a recent answer is there, else by Tessera.
   *
   * @example
   * ```ts
   * const { result, error } = await tessera.verifyKey(key, { scopes: 'orders:read' });
   * if (error) return reply.code(503).send(); // Tessera unreachable
   * if (!result.valid) return reply.code(401).send({ code: result.code });
   * ```
   */
  verifyKey(key: string, options?: VerifyKeyOptions): Promise<Result<VerifyKeyResult>> {
    return this.verifier.verify(key, options);
  }

  /** Forgets cached answers: of one key (by id), or all of them. */
  forget(keyId?: string): void {
    this.verifier.invalidate(keyId);
  }

  /** Resolves once the event stream is open (true), or when it will not be (false). */
  eventsReady(): Promise<boolean> {
    return this.events?.ready ?? Promise.resolve(false);
  }

  /** Stops following events. The client stays usable. */
  close(): void {
    this.events?.close();
  }

  /**
   * Calls any management operation by name. The named methods below are shorthands for it;
   * this one reaches an operation that a newer server has and this SDK does not name yet.
   */
  call<O extends Operation>(
    operation: O,
    input: { path?: Params; query?: OperationQuery<O>; body?: OperationBody<O> } = {},
    options: CallOptions = {},
  ): Promise<Result<OperationResult<O>>> {
    return this.send(operation, input, options, []);
  }

  /** `call`, keeping `redact` (keys a caller reports, say) out of any error message as well. */
  private send<O extends Operation>(
    operation: O,
    input: { path?: Params; query?: OperationQuery<O>; body?: OperationBody<O> },
    options: CallOptions = {},
    redact: readonly string[],
  ): Promise<Result<OperationResult<O>>> {
    const space = operation.indexOf(' ');
    const method = operation.slice(0, space);
    const path = fillPath(operation.slice(space + 1), input.path ?? {});
    return this.http.request<OperationResult<O>>(method, path, {
      query: input.query as Record<string, string | number | boolean | undefined>,
      body: input.body,
      signal: options.signal,
      redact,
      idempotencyKey: options.idempotencyKey,
    });
  }

  /** API keys. */
  readonly keys = {
    create: (body: OperationBody<'POST /v1/keys'>, o?: CallOptions) => this.call('POST /v1/keys', { body }, o),
    get: (keyId: string, o?: CallOptions) => this.call('GET /v1/keys/{keyId}', { path: { keyId } }, o),
    list: (query: OperationQuery<'GET /v1/keys'>, o?: CallOptions) => this.call('GET /v1/keys', { query }, o),
    update: (keyId: string, body: OperationBody<'PATCH /v1/keys/{keyId}'>, o?: CallOptions) =>
      this.call('PATCH /v1/keys/{keyId}', { path: { keyId }, body }, o),
    revoke: (keyId: string, body: OperationBody<'POST /v1/keys/{keyId}/revoke'> = {}, o?: CallOptions) =>
      this.call('POST /v1/keys/{keyId}/revoke', { path: { keyId }, body }, o),
    roll: (keyId: string, body: OperationBody<'POST /v1/keys/{keyId}/roll'>, o?: CallOptions) =>
      this.call('POST /v1/keys/{keyId}/roll', { path: { keyId }, body }, o),
    delete: (keyId: string, o?: CallOptions) => this.call('DELETE /v1/keys/{keyId}', { path: { keyId } }, o),
    revokeByOwner: (body: OperationBody<'POST /v1/keys/revoke-by-owner'>, o?: CallOptions) =>
      this.call('POST /v1/keys/revoke-by-owner', { body }, o),
    /** Reads back a key of a recoverable keyspace (permission `keys:recover`; audited). */
    recover: (keyId: string, o?: CallOptions) => this.call('GET /v1/keys/{keyId}/recover', { path: { keyId } }, o),
    /** One verification on the server, uncached. {@link KeyVerifier} adds the local cache. */
    verify: (body: OperationBody<'POST /v1/keys/verify'>, o?: CallOptions) => this.call('POST /v1/keys/verify', { body }, o),
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
    reportLeaked: (body: OperationBody<'POST /v1/keys/leaked'>, o?: CallOptions) =>
      this.send('POST /v1/keys/leaked', { body }, o, body.keys),
  };

  /** Keyspaces: a prefix and the keys minted under it. */
  readonly keyspaces = {
    create: (body: OperationBody<'POST /v1/keyspaces'>, o?: CallOptions) => this.call('POST /v1/keyspaces', { body }, o),
    get: (id: string, o?: CallOptions) => this.call('GET /v1/keyspaces/{id}', { path: { id } }, o),
    list: (o?: CallOptions) => this.call('GET /v1/keyspaces', {}, o),
    /** A keyspace's monitoring policy; the defaults (alert only, no automatic expiry) until set. Permission `keyspaces:read`. */
    getPolicy: (keyspaceId: string, o?: CallOptions) => this.call('GET /v1/keyspaces/{keyspaceId}/policy', { path: { keyspaceId } }, o),
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
      this.call('PUT /v1/keyspaces/{keyspaceId}/policy', { path: { keyspaceId }, body }, o),
  };

  /** Root keys: the management API's own credentials. */
  readonly rootKeys = {
    create: (body: OperationBody<'POST /v1/root-keys'>, o?: CallOptions) => this.call('POST /v1/root-keys', { body }, o),
    list: (o?: CallOptions) => this.call('GET /v1/root-keys', {}, o),
    revoke: (id: string, o?: CallOptions) => this.call('POST /v1/root-keys/{id}/revoke', { path: { id } }, o),
    /** A new root key with the same reach; the old one expires after `gracePeriodSeconds`. */
    roll: (id: string, body: OperationBody<'POST /v1/root-keys/{id}/roll'>, o?: CallOptions) =>
      this.call('POST /v1/root-keys/{id}/roll', { path: { id }, body }, o),
  };

  /** OAuth 2.0 clients and the signing keys of access tokens. */
  readonly oauth = {
    createClient: (body: OperationBody<'POST /v1/oauth/clients'>, o?: CallOptions) => this.call('POST /v1/oauth/clients', { body }, o),
    getClient: (clientId: string, o?: CallOptions) => this.call('GET /v1/oauth/clients/{clientId}', { path: { clientId } }, o),
    listClients: (query: OperationQuery<'GET /v1/oauth/clients'> = {}, o?: CallOptions) => this.call('GET /v1/oauth/clients', { query }, o),
    updateClient: (clientId: string, body: OperationBody<'PATCH /v1/oauth/clients/{clientId}'>, o?: CallOptions) =>
      this.call('PATCH /v1/oauth/clients/{clientId}', { path: { clientId }, body }, o),
    deleteClient: (clientId: string, o?: CallOptions) => this.call('DELETE /v1/oauth/clients/{clientId}', { path: { clientId } }, o),
    rotateClientSecret: (clientId: string, body: OperationBody<'POST /v1/oauth/clients/{clientId}/rotate-secret'> = {}, o?: CallOptions) =>
      this.call('POST /v1/oauth/clients/{clientId}/rotate-secret', { path: { clientId }, body }, o),
    listSigningKeys: (o?: CallOptions) => this.call('GET /v1/oauth/signing-keys', {}, o),
  };

  /** The vault: versioned secrets. Names may contain `/` (`payments/stripe`). */
  readonly secrets = {
    put: (name: string, body: OperationBody<'PUT /v1/secrets/{*}'>, o?: CallOptions) =>
      this.call('PUT /v1/secrets/{*}', { path: { '*': name }, body }, o),
    get: (name: string, query: OperationQuery<'GET /v1/secrets/{*}'> = {}, o?: CallOptions) =>
      this.call('GET /v1/secrets/{*}', { path: { '*': name }, query }, o),
    list: (query: OperationQuery<'GET /v1/secrets'> = {}, o?: CallOptions) => this.call('GET /v1/secrets', { query }, o),
    delete: (name: string, o?: CallOptions) => this.call('DELETE /v1/secrets/{*}', { path: { '*': name } }, o),
  };

  /** The tamper-evident audit log. */
  readonly audit = {
    list: (query: OperationQuery<'GET /v1/audit'> = {}, o?: CallOptions) => this.call('GET /v1/audit', { query }, o),
    verify: (o?: CallOptions) => this.call('GET /v1/audit/verify', {}, o),
    /** The log as JSON lines, oldest first. */
    export: (query: OperationQuery<'GET /v1/audit/export'> = {}, o?: CallOptions) => this.call('GET /v1/audit/export', { query }, o),
    /** Signs a checkpoint of the chain head now; `undefined` when there is nothing new to sign. */
    checkpoint: (o?: CallOptions) => this.call('POST /v1/audit/checkpoints', {}, o),
  };

  /** Usage analytics (permission `analytics:read`). Ranges default to the last 24 hours. */
  readonly analytics = {
    /**
     * Verifications over time of one key, owner or keyspace (at most one), or of the whole
     * workspace: totals and one point per bucket, empty buckets included.
     *
     * @example
     * ```ts
     * const { result } = await tessera.analytics.verifications({ keyId, granularity: 'hour' });
     * console.log(result.totals.valid, result.series.map((p) => p.total));
     * ```
     */
    verifications: (query: OperationQuery<'GET /v1/analytics/verifications'> = {}, o?: CallOptions) =>
      this.call('GET /v1/analytics/verifications', { query }, o),
    /** The keys, owners, keyspaces, addresses or networks with the most verifications, optionally of one outcome. */
    top: (query: OperationQuery<'GET /v1/analytics/top'>, o?: CallOptions) => this.call('GET /v1/analytics/top', { query }, o),
    /** Recent verifications one by one (kept for the retention period), newest first; never the key itself. */
    events: (query: OperationQuery<'GET /v1/analytics/events'> = {}, o?: CallOptions) =>
      this.call('GET /v1/analytics/events', { query }, o),
  };

  /** What the misuse detectors found (read: `anomalies:read`; change: `anomalies:manage`). */
  readonly anomalies = {
    /** Anomalies, newest first, filtered by key, time, status or kind. */
    list: (query: OperationQuery<'GET /v1/anomalies'> = {}, o?: CallOptions) => this.call('GET /v1/anomalies', { query }, o),
    /** One anomaly. */
    get: (anomalyId: string, o?: CallOptions) => this.call('GET /v1/anomalies/{anomalyId}', { path: { anomalyId } }, o),
    /** Marks an anomaly as being looked at (audited). */
    acknowledge: (anomalyId: string, o?: CallOptions) =>
      this.call('POST /v1/anomalies/{anomalyId}/acknowledge', { path: { anomalyId } }, o),
    /**
     * Closes an anomaly (audited); it cannot change again. `benign: true` teaches the key's
     * profile that the network it came from is its own.
     */
    resolve: (anomalyId: string, body: OperationBody<'POST /v1/anomalies/{anomalyId}/resolve'> = {}, o?: CallOptions) =>
      this.call('POST /v1/anomalies/{anomalyId}/resolve', { path: { anomalyId }, body }, o),
  };

  /** Keys disabled by a keyspace policy or a leak report (read: `anomalies:read`; undo: `anomalies:manage`). */
  readonly suspensions = {
    /** Suspensions, filtered by key or by whether they are still in force (`active`). */
    list: (query: OperationQuery<'GET /v1/suspensions'> = {}, o?: CallOptions) => this.call('GET /v1/suspensions', { query }, o),
    /** Lifts a suspension: the key is enabled again if it was before (audited). */
    undo: (suspensionId: string, o?: CallOptions) => this.call('POST /v1/suspensions/{suspensionId}/undo', { path: { suspensionId } }, o),
  };

  /** Decoy keys: plant one where a thief would look; any use of it is a critical anomaly. */
  readonly honeytokens = {
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
    create: (body: OperationBody<'POST /v1/honeytokens'>, o?: CallOptions) => this.call('POST /v1/honeytokens', { body }, o),
  };

  /** Key hygiene: stale, unused, expiring and over-privileged keys. */
  readonly hygiene = {
    /**
     * A keyspace's report (permission `keys:read`): keys never used, unused for `unusedDays` (90),
     * expiring within `expiringDays` (14), without expiry, and holding scopes no verification
     * needed in `privilegeDays` (30), with a smaller scope set suggested.
     */
    report: (query: OperationQuery<'GET /v1/hygiene'>, o?: CallOptions) => this.call('GET /v1/hygiene', { query }, o),
    /** Runs the hourly sweep now (permission `keyspaces:manage`): expiry and credit notices, automatic expiry of unused keys. */
    sweep: (o?: CallOptions) => this.call('POST /v1/hygiene/sweep', {}, o),
  };

  /**
   * Webhook subscriptions (permission `webhooks:manage`). Deliveries carry a
   * `Tessera-Signature: t=<unix>,v1=<HMAC-SHA256(secret, "<t>.<body>")>` header, are retried with
   * backoff and logged.
   */
  readonly webhooks = {
    /**
     * Subscribes a URL to events (`['*']` for all). The answer holds the signing secret, shown
     * this once; error messages never do.
     *
     * @example
     * ```ts
     * const { result } = await tessera.webhooks.create({ url: 'https://ops.example/tessera', events: ['key.leaked', 'anomaly.detected'] });
     * store(result.secret);
     * ```
     */
    create: (body: OperationBody<'POST /v1/webhooks'>, o?: CallOptions) => this.call('POST /v1/webhooks', { body }, o),
    /** Every subscription of the workspace (secrets shown by their start only). */
    list: (o?: CallOptions) => this.call('GET /v1/webhooks', {}, o),
    /** One subscription. */
    get: (webhookId: string, o?: CallOptions) => this.call('GET /v1/webhooks/{webhookId}', { path: { webhookId } }, o),
    /** Changes the URL, the events or whether it is enabled. */
    update: (webhookId: string, body: OperationBody<'PATCH /v1/webhooks/{webhookId}'>, o?: CallOptions) =>
      this.call('PATCH /v1/webhooks/{webhookId}', { path: { webhookId }, body }, o),
    /** Deletes a subscription and its delivery log. */
    delete: (webhookId: string, o?: CallOptions) => this.call('DELETE /v1/webhooks/{webhookId}', { path: { webhookId } }, o),
    /** The delivery log, newest first; pass `nextCursor` back as `cursor` for the next page. */
    deliveries: (webhookId: string, query: OperationQuery<'GET /v1/webhooks/{webhookId}/deliveries'> = {}, o?: CallOptions) =>
      this.call('GET /v1/webhooks/{webhookId}/deliveries', { path: { webhookId }, query }, o),
    /** A new signing secret, shown this once; the old one stops at once. */
    rotateSecret: (webhookId: string, o?: CallOptions) =>
      this.call('POST /v1/webhooks/{webhookId}/rotate-secret', { path: { webhookId } }, o),
    /** Sends a `webhook.test` event now and answers with its delivery (status, the receiver's HTTP status). */
    test: (webhookId: string, o?: CallOptions) => this.call('POST /v1/webhooks/{webhookId}/test', { path: { webhookId } }, o),
  };
}

/** `/v1/keys/{keyId}` with `keyId` filled in and encoded; `{*}` takes a `/`-separated name. */
function fillPath(template: string, params: Params): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = params[name];
    if (typeof value !== 'string' || value === '') throw new TypeError(`missing path parameter "${name}"`);
    return name === '*' ? value.split('/').map(encodeURIComponent).join('/') : encodeURIComponent(value);
  });
}
