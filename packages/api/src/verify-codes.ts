/** The closed set of answers to "is this key good?" (docs/api-keys.md, docs/errors.md). */
export const VERIFY_CODES = [
  'VALID',
  'MALFORMED',
  'NOT_FOUND',
  'EXPIRED',
  'REVOKED',
  'DISABLED',
  'RATE_LIMITED',
  'USAGE_EXCEEDED',
  'INSUFFICIENT_SCOPE',
  'IP_NOT_ALLOWED',
] as const;

export type VerifyCode = (typeof VERIFY_CODES)[number];
