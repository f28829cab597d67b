import type { Operations } from '@tessera/api';

/** The name of a management operation: `"<METHOD> <path template>"`, as in the OpenAPI document. */
export type Operation = keyof Operations;

/**
 * The answers of operations whose answer the OpenAPI document leaves undescribed, by operation
 * name. {@link OperationResult} prefers these over the generated types.
 */
export interface UndocumentedAnswers {
  /** JSON lines (`application/x-ndjson`), oldest first. */
  'GET /v1/audit/export': string;
}

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
