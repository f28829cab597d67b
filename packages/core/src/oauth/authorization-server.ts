import type { AuthorizationServerMetadata, IntrospectionResponse, TokenResponse } from '@tessera/api';
import { introspectionEndpoint } from './endpoints/introspection.js';
import { revocationEndpoint } from './endpoints/revocation.js';
import { tokenEndpoint } from './endpoints/token.js';
import { authorizationServerMetadata } from './metadata.js';
import { serverContext, type AuthorizationServerDeps, type EndpointAnswer, type ServerContext } from './server-context.js';
import type { TokenRequest } from './token-request.js';
import { verifyAccessToken, type AccessTokenClaims } from './tokens/access-token.js';
import { verifyDpopProof } from './dpop.js';
import { OAuthError } from './oauth-error.js';

/**
 * The OAuth 2.0 authorization server for machines: the token endpoint (client credentials, token
 * exchange of API keys, rotating refresh tokens), introspection, revocation and metadata, each in
 * a file of its own under `endpoints/` and `grants/`. It speaks in parsed form parameters and
 * answers with bodies and headers; the HTTP layer only carries them.
 */
export class AuthorizationServer {
  private readonly ctx: ServerContext;

  constructor(deps: AuthorizationServerDeps) {
    this.ctx = serverContext(deps);
  }

  /** RFC 8414 metadata. */
  metadata(issuer: string): AuthorizationServerMetadata {
    return authorizationServerMetadata(issuer);
  }

  /** The token endpoint (RFC 6749 §3.2). */
  token(req: TokenRequest, issuer: string): Promise<EndpointAnswer<TokenResponse>> {
    return tokenEndpoint(this.ctx, req, issuer);
  }

  /** Token introspection (RFC 7662). */
  introspect(req: TokenRequest, issuer: string): Promise<EndpointAnswer<IntrospectionResponse>> {
    return introspectionEndpoint(this.ctx, req, issuer);
  }

  /** Token revocation (RFC 7009). */
  revoke(req: TokenRequest, issuer: string): Promise<EndpointAnswer<Record<string, never>>> {
    return revocationEndpoint(this.ctx, req, issuer);
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
