/** Sign-in with an upstream OpenID Provider (migration 0032). Times are epoch ms. */

/** Which upstream claims fill an end user's fields; each defaults to the standard claim of that name. */
export interface ClaimMapping {
  /** Default `email`. */
  email?: string | undefined;
  /** Default `email_verified`. */
  emailVerified?: string | undefined;
  /** Default `name`. */
  name?: string | undefined;
}

/** An upstream OpenID Provider a workspace's end users may sign in with. */
export interface UpstreamProviderRecord {
  id: string;
  workspaceId: string;
  /** Shown on the sign-in page: "Sign in with <name>". Unique within the workspace. */
  name: string;
  /** The issuer identifier, exactly as its discovery document states it. */
  issuer: string;
  clientId: string;
  /** The client secret, encrypted under the workspace's data key (`upstream_provider:<id>`). */
  clientSecretCiphertext: string;
  /** Scopes asked for; always including `openid`. */
  scopes: string[];
  claimMapping: ClaimMapping;
  createdAt: number;
  updatedAt: number;
}

/** An end user's account at an upstream provider: its `sub` there, linked to the user here. */
export interface UpstreamLinkRecord {
  providerId: string;
  /** The upstream `sub`. */
  subject: string;
  userId: string;
  workspaceId: string;
  createdAt: number;
}

/**
 * A sign-in sent to an upstream provider and not back yet, kept by the keyed hash of its `state`.
 * It is bound to the browser that started it (the keyed hash of a cookie value) and spent when the
 * browser comes back, so a `state` works once and only in that browser. The PKCE verifier and the
 * `nonce` are derived from the state under the pepper, so neither is stored.
 */
export interface FederatedSignInRecord {
  stateHash: string;
  workspaceId: string;
  providerId: string;
  /** Keyed hash of the browser-binding cookie. */
  bindingHash: string;
  /** The query of the authorization request it continues. */
  request: string;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
}
