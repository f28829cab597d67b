import { KEY_SEARCH_PATTERN } from '@tessera/api';

/**
 * Codes the SDK itself gives a failed call; answers from Tessera carry the server's own stable
 * codes (`UNAUTHORIZED`, `FORBIDDEN`, `NOT_FOUND`, `VALIDATION_FAILED`, …) unchanged.
 */
export type ClientErrorCode = 'NETWORK_ERROR' | 'TIMEOUT' | 'ABORTED' | 'INVALID_RESPONSE';

/**
 * Why a call failed: the server's problem details, or a network failure. Its message never holds
 * a key, a root key, a token or a webhook secret: anything shaped like one is replaced by
 * `[redacted]`.
 */
export class TesseraError extends Error {
  override readonly name = 'TesseraError';
  /** The server's stable error code, or one of {@link ClientErrorCode}. */
  readonly code: ClientErrorCode | (string & {});
  /** The HTTP status of the answer; undefined when none came. */
  readonly status: number | undefined;
  /** The `x-request-id` or problem `instance`, to quote to the server's operator. */
  readonly requestId: string | undefined;

  constructor(code: string, message: string, status?: number, requestId?: string) {
    super(message);
    this.code = code;
    this.status = status;
    this.requestId = requestId;
  }
}

/** A call's outcome: exactly one of `result` and `error`. */
export type Result<T> = { result: T; error?: undefined } | { result?: undefined; error: TesseraError };

/** A webhook signing secret: `whsec_` and 32 random bytes in base64url. */
const WEBHOOK_SECRET_LIKE = /\bwhsec_[0-9A-Za-z_-]{16,}/g;

/** Removes anything that looks like a Tessera key or webhook secret, and the given secrets, from a message. */
export function scrub(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text.replace(KEY_SEARCH_PATTERN, '[redacted]').replace(WEBHOOK_SECRET_LIKE, '[redacted]');
  for (const s of secrets) if (s !== undefined && s.length >= 8) out = out.replaceAll(s, '[redacted]');
  return out.slice(0, 500);
}
