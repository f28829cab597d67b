/**
 * What a keyed hash of the keyring's pepper is for. Each role hashes under its own label, so a
 * value valid in one role never hashes to a record of another (a row copied across tables, a
 * nonce that is some credential's lookup hash).
 */
export const HASH_DOMAINS = [
  'api_key',
  'root_key',
  'client_secret',
  'access_token',
  'refresh_token',
  'recovery_code',
  'dpop_nonce',
  'idempotency',
  'console_decoy',
  'authorization_code',
  'end_user_session',
  'end_user_csrf',
  'device_code',
  'device_user_code',
  'pushed_request',
  'portal_link',
  'portal_session',
  'federation_state',
  'federation_binding',
  'federation_pkce',
  'federation_nonce',
  'console_sso_state',
  'console_sso_binding',
  'console_sso_pkce',
  'console_sso_nonce',
] as const;
export type HashDomain = (typeof HASH_DOMAINS)[number];

/**
 * How a pepper version forms its HMAC input. `labelled`: `tessera:<domain>` NUL `<value>`, the
 * form of every pepper made since domain separation. `plain`: the value alone, as release 0.1.0
 * hashed; peppers made before keep it, so what they hashed keeps verifying.
 */
export type PepperInput = 'plain' | 'labelled';

/** The bytes a labelled pepper puts before the value, per domain (NUL ends the label: no label holds one). */
export const HASH_LABELS: Readonly<Record<HashDomain, Buffer>> = Object.freeze(
  Object.fromEntries(HASH_DOMAINS.map((d) => [d, Buffer.from(`tessera:${d}\0`, 'utf8')])) as Record<HashDomain, Buffer>,
);
