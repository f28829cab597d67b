import type { Operations } from '@tessera/api';

/** The name of a management operation: `"<METHOD> <path template>"`, as in the OpenAPI document. */
export type Operation = keyof Operations;

/**
 * The answers of operations the OpenAPI document left undescribed. The document describes every
 * answer now, so it is empty.
 *
 * @deprecated Use {@link OperationResult}; this name stays so that code naming it compiles.
 */
export type UndocumentedAnswers = Record<never, never>;

/** What an operation answers on success, as the OpenAPI document describes it. */
export type OperationResult<O extends Operation> = Operations[O]['response'];
/** The JSON body an operation takes. */
export type OperationBody<O extends Operation> = Operations[O]['body'];
/** The query parameters an operation takes. */
export type OperationQuery<O extends Operation> = Operations[O]['query'];

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
