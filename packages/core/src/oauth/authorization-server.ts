import type { AuthorizationServerMetadata, IntrospectionResponse, TokenResponse } from '@tessera/api';
import { AuthorizationFlow } from './authorization/authorization-flow.js';
import { DeviceFlow } from './device/device-flow.js';
import { Logout } from './authorization/logout.js';
import { deviceAuthorizationEndpoint, type DeviceAuthorizationResponse } from './endpoints/device-authorization.js';
import { EndUserSignIn } from './people/end-user-sign-in.js';
import { pushedAuthorizationEndpoint, type PushedAuthorizationResponse } from './endpoints/pushed-authorization.js';
import { introspectionEndpoint } from './endpoints/introspection.js';
import { userinfoEndpoint, type UserinfoOutcome, type UserinfoRequest } from './endpoints/userinfo.js';
import { EndUserSessions } from './people/end-user-sessions.js';
import { EndUserAccount } from './people/end-user-account.js';
import { UserGrants } from './people/user-grants.js';
import { WorkspaceBrandings } from './people/workspace-brandings.js';
import { FederatedSignIn } from './federation/federated-sign-in.js';
import { UpstreamDiscovery } from './federation/upstream-discovery.js';
import { revocationEndpoint } from './endpoints/revocation.js';
import { tokenEndpoint } from './endpoints/token.js';
import { webOriginAllowed } from './endpoints/cors.js';
import { authorizationServerMetadata } from './metadata.js';
import { serverContext, type AuthorizationServerDeps, type EndpointAnswer, type ServerContext } from './server-context.js';
import type { TokenRequest } from './token-request.js';
import { verifyAccessToken, type AccessTokenClaims } from './tokens/access-token.js';
import { verifyDpopProof } from './dpop.js';
import { OAuthError } from './oauth-error.js';

/**
 * The OAuth 2.0 authorization server and OpenID Provider: the authorization endpoint's flow for
 * people (`authorization/`), the token endpoint (authorization code with PKCE, client credentials,
 * token exchange of API keys, rotating refresh tokens), userinfo, introspection, revocation and
 * metadata, each in a file of its own under `endpoints/` and `grants/`. It speaks in parsed
 * parameters and answers with bodies and headers; the HTTP layer only carries them.
 */
export class AuthorizationServer {
  private readonly ctx: ServerContext;
  /** End users' sessions and the CSRF tokens of the hosted pages. */
  readonly sessions: EndUserSessions;
  /** The authorization endpoint's steps: sign-in, consent, code. */
  readonly authorization: AuthorizationFlow;
  /** The device flow's verification page: code entry, sign-in, approval (RFC 8628 §3.3). */
  readonly device: DeviceFlow;
  /** RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0). */
  readonly logout: Logout;
  /** The end user's account page: their apps, their second factor. */
  readonly account: EndUserAccount;
  /** The brand each workspace's hosted pages show. */
  readonly brandings: WorkspaceBrandings;
  /** Sign-in with the workspace's upstream OpenID Providers. */
  readonly federation: FederatedSignIn;
  /** Upstream providers' discovery documents and key sets, read once per node and cached. */
  readonly discovery: UpstreamDiscovery;

  constructor(deps: AuthorizationServerDeps) {
    this.ctx = serverContext(deps);
    this.sessions = new EndUserSessions(deps.keyring, deps.clock);
    // One sign-in, so one throttle of failed passwords, for every hosted page.
    const signIns = new EndUserSignIn(deps);
    this.authorization = new AuthorizationFlow({ ...deps, sessions: this.sessions, signIns });
    this.device = new DeviceFlow({ ...deps, sessions: this.sessions, signIns });
    this.logout = new Logout({ ...deps, sessions: this.sessions });
    this.brandings = new WorkspaceBrandings(deps);
    this.account = new EndUserAccount({ ...deps, sessions: this.sessions, signIns, grants: new UserGrants(deps) });
    this.discovery = new UpstreamDiscovery(deps.clock);
    this.federation = new FederatedSignIn({ ...deps, sessions: this.sessions, discovery: this.discovery, signIns });
  }

  /** RFC 8414 metadata. */
  metadata(issuer: string): AuthorizationServerMetadata {
    return authorizationServerMetadata(issuer);
  }

  /** The token endpoint (RFC 6749 §3.2). */
  token(req: TokenRequest, issuer: string): Promise<EndpointAnswer<TokenResponse>> {
    return tokenEndpoint(this.ctx, req, issuer);
  }

  /** The device authorization endpoint (RFC 8628 §3.1). */
  deviceAuthorization(req: TokenRequest, issuer: string): Promise<EndpointAnswer<DeviceAuthorizationResponse>> {
    return deviceAuthorizationEndpoint(this.ctx, req, issuer);
  }

  /** The pushed authorization request endpoint (RFC 9126 §2). */
  pushAuthorization(req: TokenRequest, issuer: string): Promise<EndpointAnswer<PushedAuthorizationResponse>> {
    return pushedAuthorizationEndpoint(this.ctx, req, issuer);
  }

  /** The UserInfo endpoint (OIDC Core §5.3). */
  userinfo(req: UserinfoRequest, issuer: string): Promise<UserinfoOutcome> {
    return userinfoEndpoint(this.ctx, req, issuer);
  }

  /** Token introspection (RFC 7662). */
  introspect(req: TokenRequest, issuer: string): Promise<EndpointAnswer<IntrospectionResponse>> {
    return introspectionEndpoint(this.ctx, req, issuer);
  }

  /** Token revocation (RFC 7009). */
  revoke(req: TokenRequest, issuer: string): Promise<EndpointAnswer<Record<string, never>>> {
    return revocationEndpoint(this.ctx, req, issuer);
  }

  /** Whether a page of `origin` may read the answer to a request of `clientId`, or to a preflight (see `webOriginAllowed`). */
  webOriginAllowed(origin: string, clientId: string | undefined): Promise<boolean> {
    return webOriginAllowed(this.ctx, origin, clientId);
  }

  /**
   * At a resource: whether a DPoP proof (the `DPoP` header's values) is good for this request and
   * this access token, and made by the key the token is bound to (RFC 9449 §7.1). Each proof once.
   */
  async provesPossession(proof: string[], request: { method: string; url: string; accessToken: string }, jkt: string): Promise<boolean> {
    try {
      const proven = await verifyDpopProof(proof, request, { repos: this.ctx.store, clock: this.ctx.clock });
      return proven.jkt === jkt;
    } catch (err) {
      if (err instanceof OAuthError) return false;
      throw err;
    }
  }

  /** Verifies a JWT access token of this issuer, for `audience` when given (see `verifyAccessToken`). */
  verifyAccessToken(token: string, issuer: string, audience?: string): Promise<AccessTokenClaims | undefined> {
    return verifyAccessToken(this.ctx, token, issuer, audience);
  }
}
