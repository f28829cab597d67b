import type { UserGrantRepos } from './people/user-grant-repos.js';
import type { BrandingRepos } from './people/branding-repos.js';
import type { UpstreamProviderRepos } from './federation/upstream-provider-repos.js';
import type { Repos } from '../store/store.js';
import type { AccessTokenRepos } from './access-token-repos.js';
import type { AuthorizationCodeRepos } from './authorization-code-repos.js';
import type { OAuthClientRepos } from './client-repos.js';
import type { DeviceAuthorizationRepos } from './device-authorization-repos.js';
import type { OnceRepos } from './once-repos.js';
import type { PushedRequestRepos } from './pushed-request-repos.js';
import type { EndUserRepos } from './people/end-user-repos.js';
import type { EndUserPasskeyRepos } from './people/end-user-passkey-repos.js';
import type { SigningKeyRepos } from './signing-key-repos.js';
import type { TokenFamilyRepos } from './token-family-repos.js';

/**
 * The storage port of the authorization server: its capabilities together, the same inside and
 * outside a transaction. Each part of the server takes the one it uses.
 */
export interface OAuthRepos
  extends
    OAuthClientRepos,
    SigningKeyRepos,
    TokenFamilyRepos,
    AccessTokenRepos,
    OnceRepos,
    EndUserRepos,
    AuthorizationCodeRepos,
    DeviceAuthorizationRepos,
    PushedRequestRepos,
    UserGrantRepos,
    BrandingRepos,
    UpstreamProviderRepos {
  /** End users' passkeys and their WebAuthn challenges. */
  readonly endUserPasskeys: EndUserPasskeyRepos;
  /** Deletes what has expired: one-time values, revoked ids, expired opaque tokens, authorization codes, device authorizations, pushed requests and federated sign-ins. */
  purgeExpired(now: number): Promise<void>;
}

export interface OAuthStore extends OAuthRepos {
  /** One transaction over the OAuth tables and the audit chain. */
  transaction<T>(fn: (tx: OAuthRepos & Repos) => Promise<T>): Promise<T>;
}
