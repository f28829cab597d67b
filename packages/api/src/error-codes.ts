/**
 * The one error vocabulary of Tessera. Codes are stable: scripts match on them, so a code is
 * never renamed. `docs/errors.md` lists every code, and a test keeps the two in step.
 */
export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  KEY_IN_URL: 400,
  BODY_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  HEADERS_TOO_LARGE: 431,
  REQUEST_TIMEOUT: 408,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  CSRF_FAILED: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  KEY_LIFETIME_EXCEEDED: 422,
  IDEMPOTENCY_KEY_IN_PROGRESS: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  AUDIT_TAMPERED: 409,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  DECRYPTION_FAILED: 500,
  STORE_UNAVAILABLE: 503,
  KEYRING_UNAVAILABLE: 503,
  TARGET_DATABASE_FAILED: 502,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export const ERROR_TITLES: Record<ErrorCode, string> = {
  VALIDATION_FAILED: 'The request is not valid',
  KEY_IN_URL: 'Credentials must not travel in the URL',
  BODY_TOO_LARGE: 'The request body is too large',
  UNSUPPORTED_MEDIA_TYPE: 'Unsupported media type',
  HEADERS_TOO_LARGE: 'The URL or headers are too large',
  REQUEST_TIMEOUT: 'The request took too long to arrive',
  UNAUTHORIZED: 'Authentication required',
  FORBIDDEN: 'Permission denied',
  CSRF_FAILED: 'The request lacks a valid CSRF token',
  NOT_FOUND: 'Not found',
  METHOD_NOT_ALLOWED: 'Method not allowed',
  CONFLICT: 'Conflict',
  KEY_LIFETIME_EXCEEDED: "The expiry is past the keyspace's maximum key lifetime",
  IDEMPOTENCY_KEY_IN_PROGRESS: 'A request with this idempotency key is still in progress',
  IDEMPOTENCY_KEY_REUSED: 'This idempotency key was used for a different request',
  AUDIT_TAMPERED: 'The audit log was tampered with',
  RATE_LIMITED: 'Too many requests',
  INTERNAL: 'Internal error',
  DECRYPTION_FAILED: 'Stored data failed its integrity check',
  STORE_UNAVAILABLE: 'The store is unavailable',
  KEYRING_UNAVAILABLE: 'The keyring is unavailable',
  TARGET_DATABASE_FAILED: 'The target database refused or failed the request',
};
