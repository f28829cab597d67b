/**
 * OAuth endpoints answer in the vocabulary of RFC 6749 §5.2 (and the extensions of RFC 7009,
 * RFC 8693 and RFC 9449), not in Tessera's problem+json: clients and libraries match on these
 * names. The table gives each its HTTP status.
 */
export const OAUTH_ERROR_STATUS = {
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  invalid_scope: 400,
  // RFC 6749 §4.1.2.1, which the pushed authorization request endpoint answers too (RFC 9126 §2.3)
  unsupported_response_type: 400,
  // RFC 8693 §2.2.2
  invalid_target: 400,
  // RFC 7009 §2.2.1
  unsupported_token_type: 400,
  // RFC 9449 §5 and §8
  invalid_dpop_proof: 400,
  use_dpop_nonce: 400,
  // RFC 8628 §3.5 (and RFC 6749 §4.1.2.1 for access_denied)
  authorization_pending: 400,
  slow_down: 400,
  expired_token: 400,
  access_denied: 400,
  server_error: 500,
  temporarily_unavailable: 503,
} as const;

export type OAuthErrorCode = keyof typeof OAUTH_ERROR_STATUS;

/** An expected refusal at an OAuth endpoint. `description` is for developers and never names a secret. */
export class OAuthError extends Error {
  readonly error: OAuthErrorCode;
  readonly status: number;
  readonly description: string;
  /** Extra response headers, e.g. `DPoP-Nonce` with `use_dpop_nonce`. */
  readonly headers: Record<string, string>;

  constructor(error: OAuthErrorCode, description: string, headers: Record<string, string> = {}) {
    super(description);
    this.name = 'OAuthError';
    this.error = error;
    this.status = OAUTH_ERROR_STATUS[error];
    this.description = description;
    this.headers = headers;
  }

  /** The JSON body of RFC 6749 §5.2. */
  toJSON(): { error: OAuthErrorCode; error_description: string } {
    return { error: this.error, error_description: this.description };
  }
}
