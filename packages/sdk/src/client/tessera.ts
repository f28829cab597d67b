import { auditMethods } from './audit-methods.js';
import { databasesMethods } from './database-methods.js';
import { HttpClient, type HttpClientOptions } from './http-client.js';
import { honeytokensMethods, keysMethods, keyspacesMethods, rootKeysMethods } from './key-methods.js';
import { analyticsMethods, anomaliesMethods, hygieneMethods, suspensionsMethods, webhooksMethods } from './monitoring-methods.js';
import { oauthMethods } from './oauth-methods.js';
import { portalMethods } from './portal-methods.js';
import { endUsersMethods } from './end-user-methods.js';
import { OperationCaller, type OperationInput } from './operation-caller.js';
import type { CallOptions, Operation, OperationResult } from './operations.js';
import type { Result } from './tessera-error.js';
import { secretsMethods } from './vault-methods.js';
import { workspacesMethods } from './workspace-methods.js';
import { followKeyEvents } from '../verify/key-events.js';
import { KeyVerifier, type VerifyCacheOptions, type VerifyKeyOptions, type VerifyKeyResult } from '../verify/key-verifier.js';

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
  /** Calls operations through `http`, which the constructor sets before any call can be made. */
  private readonly operations = new OperationCaller(this);
  private readonly verifier: KeyVerifier;
  private readonly events: { close(): void; ready: Promise<boolean> } | undefined;

  /** API keys. */
  readonly keys = keysMethods(this.operations);
  /** Keyspaces: a prefix and the keys minted under it. */
  readonly keyspaces = keyspacesMethods(this.operations);
  /** Root keys: the management API's own credentials. */
  readonly rootKeys = rootKeysMethods(this.operations);
  /** The self-service portal: your customers manage their own keys, within limits each keyspace sets. */
  readonly portal = portalMethods(this.operations);
  /** OAuth 2.0 clients and the signing keys of access tokens. */
  readonly oauth = oauthMethods(this.operations);
  /** End users: the people the workspace's apps sign in (`end_users:read`, `end_users:manage`). */
  readonly endUsers = endUsersMethods(this.operations);
  /** The vault: versioned secrets. Names may contain `/` (`payments/stripe`). */
  readonly secrets = secretsMethods(this.operations);
  /** Dynamic database credentials: connections, roles, and credentials that live for a lease. */
  readonly databases = databasesMethods(this.operations);
  /** The tamper-evident audit log. */
  readonly audit = auditMethods(this.operations);
  /** Usage analytics (permission `analytics:read`). Ranges default to the last 24 hours. */
  readonly analytics = analyticsMethods(this.operations);
  /** What the misuse detectors found (read: `anomalies:read`; change: `anomalies:manage`). */
  readonly anomalies = anomaliesMethods(this.operations);
  /** Keys disabled by a keyspace policy or a leak report (read: `anomalies:read`; undo: `anomalies:manage`). */
  readonly suspensions = suspensionsMethods(this.operations);
  /** Decoy keys: plant one where a thief would look; any use of it is a critical anomaly. */
  readonly honeytokens = honeytokensMethods(this.operations);
  /** Key hygiene: stale, unused, expiring and over-privileged keys. */
  readonly hygiene = hygieneMethods(this.operations);
  /**
   * Webhook subscriptions (permission `webhooks:manage`). Deliveries carry a
   * `Tessera-Signature: t=<unix>,v1=<HMAC-SHA256(secret, "<t>.<body>")>` header, are retried with
   * backoff and logged.
   */
  readonly webhooks = webhooksMethods(this.operations);
  /** Workspaces the root key reaches: create, list, read, rename (see the `workspace` option to act in one). */
  readonly workspaces = workspacesMethods(this.operations);

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
  call<O extends Operation>(operation: O, input: OperationInput<O> = {}, options: CallOptions = {}): Promise<Result<OperationResult<O>>> {
    return this.operations.call(operation, input, options);
  }
}
