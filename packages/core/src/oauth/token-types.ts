/** Token type identifiers (RFC 8693 §3), Tessera's own for API keys among them. */

/** An API key, as the `subject_token` of a token exchange. */
export const API_KEY_TOKEN_TYPE = 'urn:tessera:token-type:api-key';
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
export const JWT_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:jwt';
