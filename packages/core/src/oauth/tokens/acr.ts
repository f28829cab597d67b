/**
 * The authentication context classes an ID token's `acr` names (OIDC Core §2), from strongest to
 * weakest. `phr` is the OpenID Foundation's value for a phishing-resistant sign-in (EAP ACR Values
 * 1.0 §2); the others are Tessera's own, since no registry names them.
 */
export const ACR_VALUES = ['phr', 'urn:tessera:acr:mfa', 'urn:tessera:acr:pwd', 'urn:tessera:acr:fed'] as const;

export type Acr = (typeof ACR_VALUES)[number];

/**
 * The class of a sign-in, read from its `amr` (RFC 8176): a passkey (`swk`, `hwk`) is
 * phishing-resistant; a one-time code (`otp`) after the password is multi-factor; a password alone
 * is one factor; a sign-in at an upstream provider (`fed`) is whatever that provider asked, which
 * Tessera does not know.
 */
export function acrOf(amr: readonly string[]): Acr {
  if (amr.includes('swk') || amr.includes('hwk')) return 'phr';
  if (amr.includes('otp')) return 'urn:tessera:acr:mfa';
  if (amr.includes('fed')) return 'urn:tessera:acr:fed';
  return 'urn:tessera:acr:pwd';
}
