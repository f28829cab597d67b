import type { OperationCaller } from './operation-caller.js';
import type { CallOptions, OperationBody, OperationQuery } from './operations.js';

// The client's named methods for monitoring: usage analytics, anomalies, suspensions, key hygiene and webhooks: each a shorthand for one operation.

/** Usage analytics (permission `analytics:read`). Ranges default to the last 24 hours. */
export const analyticsMethods = (c: OperationCaller) => ({
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
    c.call('GET /v1/analytics/verifications', { query }, o),
  /** The keys, owners, keyspaces, addresses or networks with the most verifications, optionally of one outcome. */
  top: (query: OperationQuery<'GET /v1/analytics/top'>, o?: CallOptions) => c.call('GET /v1/analytics/top', { query }, o),
  /** Recent verifications one by one (kept for the retention period), newest first; never the key itself. */
  events: (query: OperationQuery<'GET /v1/analytics/events'> = {}, o?: CallOptions) => c.call('GET /v1/analytics/events', { query }, o),
});

/** What the misuse detectors found (read: `anomalies:read`; change: `anomalies:manage`). */
export const anomaliesMethods = (c: OperationCaller) => ({
  /** Anomalies, newest first, filtered by key, time, status or kind. */
  list: (query: OperationQuery<'GET /v1/anomalies'> = {}, o?: CallOptions) => c.call('GET /v1/anomalies', { query }, o),
  /** One anomaly. */
  get: (anomalyId: string, o?: CallOptions) => c.call('GET /v1/anomalies/{anomalyId}', { path: { anomalyId } }, o),
  /** Marks an anomaly as being looked at (audited). */
  acknowledge: (anomalyId: string, o?: CallOptions) => c.call('POST /v1/anomalies/{anomalyId}/acknowledge', { path: { anomalyId } }, o),
  /**
   * Closes an anomaly (audited); it cannot change again. `benign: true` teaches the key's
   * profile that the network it came from is its own.
   */
  resolve: (anomalyId: string, body: OperationBody<'POST /v1/anomalies/{anomalyId}/resolve'> = {}, o?: CallOptions) =>
    c.call('POST /v1/anomalies/{anomalyId}/resolve', { path: { anomalyId }, body }, o),
});

/** Keys disabled by a keyspace policy or a leak report (read: `anomalies:read`; undo: `anomalies:manage`). */
export const suspensionsMethods = (c: OperationCaller) => ({
  /** Suspensions, filtered by key or by whether they are still in force (`active`). */
  list: (query: OperationQuery<'GET /v1/suspensions'> = {}, o?: CallOptions) => c.call('GET /v1/suspensions', { query }, o),
  /** Lifts a suspension: the key is enabled again if it was before (audited). */
  undo: (suspensionId: string, o?: CallOptions) => c.call('POST /v1/suspensions/{suspensionId}/undo', { path: { suspensionId } }, o),
});

/** Key hygiene: stale, unused, expiring and over-privileged keys. */
export const hygieneMethods = (c: OperationCaller) => ({
  /**
   * A keyspace's report (permission `keys:read`): keys never used, unused for `unusedDays` (90),
   * expiring within `expiringDays` (14), without expiry, and holding scopes no verification
   * needed in `privilegeDays` (30), with a smaller scope set suggested.
   */
  report: (query: OperationQuery<'GET /v1/hygiene'>, o?: CallOptions) => c.call('GET /v1/hygiene', { query }, o),
  /** Runs the hourly sweep now (permission `keyspaces:manage`): expiry and credit notices, automatic expiry of unused keys. */
  sweep: (o?: CallOptions) => c.call('POST /v1/hygiene/sweep', {}, o),
});

/**
 * Webhook subscriptions (permission `webhooks:manage`). Deliveries carry a
 * `Tessera-Signature: t=<unix>,v1=<HMAC-SHA256(secret, "<t>.<body>")>` header, are retried with
 * backoff and logged.
 */
export const webhooksMethods = (c: OperationCaller) => ({
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
  create: (body: OperationBody<'POST /v1/webhooks'>, o?: CallOptions) => c.call('POST /v1/webhooks', { body }, o),
  /** Every subscription of the workspace (secrets shown by their start only). */
  list: (o?: CallOptions) => c.call('GET /v1/webhooks', {}, o),
  /** One subscription. */
  get: (webhookId: string, o?: CallOptions) => c.call('GET /v1/webhooks/{webhookId}', { path: { webhookId } }, o),
  /** Changes the URL, the events or whether it is enabled. */
  update: (webhookId: string, body: OperationBody<'PATCH /v1/webhooks/{webhookId}'>, o?: CallOptions) =>
    c.call('PATCH /v1/webhooks/{webhookId}', { path: { webhookId }, body }, o),
  /** Deletes a subscription and its delivery log. */
  delete: (webhookId: string, o?: CallOptions) => c.call('DELETE /v1/webhooks/{webhookId}', { path: { webhookId } }, o),
  /** The delivery log, newest first; pass `nextCursor` back as `cursor` for the next page. */
  deliveries: (webhookId: string, query: OperationQuery<'GET /v1/webhooks/{webhookId}/deliveries'> = {}, o?: CallOptions) =>
    c.call('GET /v1/webhooks/{webhookId}/deliveries', { path: { webhookId }, query }, o),
  /** A new signing secret, shown this once; the old one stops at once. */
  rotateSecret: (webhookId: string, o?: CallOptions) => c.call('POST /v1/webhooks/{webhookId}/rotate-secret', { path: { webhookId } }, o),
  /** Sends a `webhook.test` event now and answers with its delivery (status, the receiver's HTTP status). */
  test: (webhookId: string, o?: CallOptions) => c.call('POST /v1/webhooks/{webhookId}/test', { path: { webhookId } }, o),
});
